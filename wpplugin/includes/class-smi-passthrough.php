<?php
/**
 * Streams a daemon response to the browser.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Relays a daemon response (a download, a CSV export) to the browser as it
 * arrives: status and a whitelist of headers, then the body chunk by chunk.
 * Responses with another status are not relayed; their (small) body is kept
 * so the caller can show a proper page instead.
 *
 * @since 1.0.0
 */
class SMI_Passthrough {

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	protected SMI_Daemon_Client $client;

	/**
	 * Builds the relay.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Relays one response.
	 *
	 * @since 1.0.0
	 *
	 * @param string $method   GET or HEAD.
	 * @param string $path     Daemon path.
	 * @param array  $query    Query arguments.
	 * @param array  $headers  Request headers to send.
	 * @param array  $options  `statuses` (int[] relayed), `headers` (names relayed), `extra` (header lines added).
	 * @return array `relayed` bool, `status` int, `body` string (when not relayed), `error` WP_Error|null.
	 */
	public function relay( string $method, string $path, array $query, array $headers, array $options ): array {
		$relayed  = false;
		$body     = '';
		$statuses = $options['statuses'] ?? array( 200 );
		$names    = $options['headers'] ?? array( 'Content-Type', 'Content-Length' );
		$extra    = $options['extra'] ?? array();

		$result = $this->client->stream(
			$method,
			$path,
			$query,
			$headers,
			function ( int $status, array $received ) use ( &$relayed, $statuses, $names, $extra ) {
				if ( ! in_array( $status, $statuses, true ) ) {
					return;
				}
				$relayed = true;
				$this->begin_output();
				$this->send_status( $status );
				foreach ( $names as $name ) {
					$key = strtolower( $name );
					if ( isset( $received[ $key ] ) && '' !== $received[ $key ] ) {
						$this->send_header( $name . ': ' . preg_replace( '/[\r\n]+/', ' ', $received[ $key ] ) );
					}
				}
				foreach ( $extra as $line ) {
					$this->send_header( $line );
				}
			},
			function ( string $chunk ) use ( &$relayed, &$body ) {
				if ( $relayed ) {
					$this->write( $chunk );
					return ! $this->client_gone();
				}
				if ( strlen( $body ) < 65536 ) {
					$body .= $chunk;
				}
				return true;
			}
		);

		if ( is_wp_error( $result ) ) {
			return array(
				'relayed' => $relayed,
				'status'  => 0,
				'body'    => $body,
				'error'   => $result,
			);
		}
		return array(
			'relayed' => $relayed,
			'status'  => (int) $result['status'],
			'body'    => $body,
			'error'   => null,
		);
	}

	/**
	 * Drops PHP's output buffers so chunks reach the browser as they come.
	 *
	 * @since 1.0.0
	 */
	protected function begin_output(): void {
		while ( ob_get_level() > 0 ) {
			ob_end_clean();
		}
		if ( function_exists( 'set_time_limit' ) ) {
			set_time_limit( 0 ); // phpcs:ignore Squiz.PHP.DiscouragedFunctions.Discouraged -- long downloads.
		}
	}

	/**
	 * Sends the status line.
	 *
	 * @since 1.0.0
	 *
	 * @param int $status HTTP status.
	 */
	protected function send_status( int $status ): void {
		status_header( $status );
	}

	/**
	 * Sends one header line.
	 *
	 * @since 1.0.0
	 *
	 * @param string $line "Name: value".
	 */
	protected function send_header( string $line ): void {
		header( $line );
	}

	/**
	 * Writes one chunk of the body.
	 *
	 * @since 1.0.0
	 *
	 * @param string $chunk Bytes.
	 */
	protected function write( string $chunk ): void {
		echo $chunk; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- binary file content.
		flush();
	}

	/**
	 * Whether the browser went away (stop pulling from the daemon).
	 *
	 * @since 1.0.0
	 *
	 * @return bool
	 */
	protected function client_gone(): bool {
		return 0 !== ( connection_status() & CONNECTION_ABORTED );
	}
}
