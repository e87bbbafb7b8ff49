<?php
/**
 * A daemon answer streamed chunk by chunk: file downloads and CSV export.
 *
 * @package SellMyImages
 * @since   1.2.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Streams one response of the daemon without holding it in memory, on a
 * raw cURL handle (WordPress's HTTP API buffers whole bodies). The client
 * gives it the URL, the headers with the secret, the socket and the error
 * for an unreachable daemon.
 *
 * @since 1.2.0
 */
class SMI_Daemon_Stream {

	/**
	 * The client whose daemon is asked.
	 *
	 * @since 1.2.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds a stream for a client.
	 *
	 * @since 1.2.0
	 *
	 * @param SMI_Daemon_Client $client The client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Runs the request, handing the answer on chunk by chunk.
	 *
	 * Uses a cURL handle with CURLOPT_WRITEFUNCTION; without the cURL
	 * extension it falls back to `wp_remote_request` streaming to a temporary
	 * file, which buffers on disk.
	 *
	 * @since 1.0.0
	 *
	 * @param string   $method     GET or HEAD.
	 * @param string   $url        The daemon URL, query included.
	 * @param array    $headers    Request headers, the secret's included.
	 * @param callable $on_headers Called once with (int $status, array $headers) before the first chunk.
	 * @param callable $on_chunk   Called with each chunk (string); return false to stop.
	 * @return array|WP_Error `status` and `headers`, or an error when the daemon could not be reached.
	 */
	public function run( string $method, string $url, array $headers, callable $on_headers, callable $on_chunk ) {
		if ( ! function_exists( 'curl_init' ) ) {
			return $this->via_file( $method, $url, $headers, $on_headers, $on_chunk );
		}

		$status       = 0;
		$resp_headers = array();
		$started      = false;
		$lines        = array();
		foreach ( $headers as $name => $value ) {
			$lines[] = $name . ': ' . $value;
		}
		$begin = static function () use ( &$started, &$status, &$resp_headers, $on_headers ) {
			if ( ! $started ) {
				$started = true;
				$on_headers( $status, $resp_headers );
			}
		};

		// phpcs:disable WordPress.WP.AlternativeFunctions -- streaming needs a raw handle.
		$ch = curl_init( $url );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_HTTPHEADER      => $lines,
				CURLOPT_FOLLOWLOCATION  => false,
				CURLOPT_CONNECTTIMEOUT  => 5,
				CURLOPT_LOW_SPEED_LIMIT => 1,
				CURLOPT_LOW_SPEED_TIME  => 60,
				CURLOPT_NOBODY          => 'HEAD' === $method,
				CURLOPT_HEADERFUNCTION  => static function ( $handle, $line ) use ( &$status, &$resp_headers ) {
					$text = trim( $line );
					if ( preg_match( '#^HTTP/\S+\s+(\d{3})#', $text, $m ) ) {
						$status       = (int) $m[1];
						$resp_headers = array();
					} elseif ( false !== strpos( $text, ':' ) ) {
						list( $name, $value )                   = explode( ':', $text, 2 );
						$resp_headers[ strtolower( trim( $name ) ) ] = trim( $value );
					}
					return strlen( $line );
				},
				CURLOPT_WRITEFUNCTION   => static function ( $handle, $chunk ) use ( $begin, $on_chunk ) {
					$begin();
					return false === $on_chunk( $chunk ) ? 0 : strlen( $chunk );
				},
			)
		);
		if ( '' !== $this->client->socket() && defined( 'CURLOPT_UNIX_SOCKET_PATH' ) ) {
			curl_setopt( $ch, CURLOPT_UNIX_SOCKET_PATH, $this->client->socket() );
		}
		curl_exec( $ch );
		$errno  = curl_errno( $ch );
		$errstr = curl_error( $ch );
		curl_close( $ch );
		// phpcs:enable

		if ( 0 === $status ) {
			return $this->client->unreachable( new WP_Error( 'http_request_failed', $errstr ) );
		}
		$begin();
		if ( 0 !== $errno && 23 !== $errno ) { // 23: we stopped the transfer on purpose.
			return new WP_Error(
				'smi_stream_interrupted',
				/* translators: %s: cURL error message. */
				sprintf( __( 'The transfer from the daemon was interrupted: %s', 'sell-my-images' ), $errstr ),
				array(
					'status'  => 502,
					'started' => true,
				)
			);
		}
		return array(
			'status'  => $status,
			'headers' => $resp_headers,
		);
	}

	/**
	 * Fallback for run() without the cURL extension: buffers on disk.
	 *
	 * @since 1.0.0
	 *
	 * @param string   $method     HTTP method.
	 * @param string   $url        Full URL.
	 * @param array    $headers    Request headers.
	 * @param callable $on_headers Header callback.
	 * @param callable $on_chunk   Chunk callback.
	 * @return array|WP_Error
	 */
	private function via_file( string $method, string $url, array $headers, callable $on_headers, callable $on_chunk ) {
		$file     = wp_tempnam( 'smi-stream' );
		$args     = $this->client->http_args( $method, $headers, null, array( 'timeout' => 300 ) );
		$response = wp_remote_request( $url, $args + array( 'stream' => true, 'filename' => $file ) );
		if ( is_wp_error( $response ) ) {
			wp_delete_file( $file );
			return $this->client->unreachable( $response );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$out    = array();
		foreach ( wp_remote_retrieve_headers( $response ) as $name => $value ) {
			$out[ strtolower( $name ) ] = is_array( $value ) ? implode( ', ', $value ) : (string) $value;
		}
		$on_headers( $status, $out );
		$fh = fopen( $file, 'rb' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fopen
		while ( $fh && ! feof( $fh ) ) {
			$chunk = fread( $fh, 65536 ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fread
			if ( false === $chunk || false === $on_chunk( $chunk ) ) {
				break;
			}
		}
		if ( $fh ) {
			fclose( $fh ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
		}
		wp_delete_file( $file );
		return array(
			'status'  => $status,
			'headers' => $out,
		);
	}
}
