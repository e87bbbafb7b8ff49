<?php
/**
 * The one door to the smid daemon's HTTP API.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Wraps `wp_remote_*` for the daemon: base URL (TCP or unix socket), Bearer
 * secret, the acting user, timeouts and JSON. Every method returns the
 * decoded data array or a WP_Error whose data holds the HTTP `status`.
 *
 * @since 1.0.0
 */
class SMI_Daemon_Client {

	/**
	 * Where smid listens when nothing else is configured.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	const DEFAULT_URL = 'http://127.0.0.1:8787';

	/**
	 * Base URL requests go to (http://localhost for a unix socket).
	 *
	 * @since 1.0.0
	 * @var string
	 */
	private string $base_url;

	/**
	 * The URL as configured, for messages.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	private string $configured_url;

	/**
	 * Unix socket path, or '' for TCP.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	private string $socket = '';

	/**
	 * Shared secret sent as Bearer token.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	private string $secret;

	/**
	 * Host:port of every daemon a client was built for (see bypass_proxy()).
	 *
	 * @since 1.2.0
	 * @var array<string, true>
	 */
	private static array $daemon_origins = array();

	/**
	 * Default timeout of a request, in seconds.
	 *
	 * @since 1.0.0
	 * @var float
	 */
	private float $timeout;

	/**
	 * Builds a client.
	 *
	 * @since 1.0.0
	 *
	 * @param string $url    `http://host:port` or `unix:///path/to.sock`.
	 * @param string $secret Shared secret (smid's api.secret).
	 * @param array  $config Optional. `timeout` in seconds (default 10).
	 */
	public function __construct( string $url, string $secret, array $config = array() ) {
		$url                  = trim( $url );
		$this->configured_url = $url;
		$this->secret         = trim( $secret );
		$this->timeout        = (float) ( $config['timeout'] ?? 10 );
		if ( 0 === strpos( $url, 'unix://' ) ) {
			$this->socket   = substr( $url, strlen( 'unix://' ) );
			$this->base_url = 'http://localhost';
		} else {
			$this->base_url = untrailingslashit( $url );
		}
		add_action( 'http_api_curl', array( __CLASS__, 'apply_unix_socket' ), 10, 2 );
		self::$daemon_origins[ self::origin( $this->base_url ) ] = true;
		add_filter( 'pre_http_send_through_proxy', array( __CLASS__, 'bypass_proxy' ), 10, 2 );
	}

	/**
	 * `pre_http_send_through_proxy`: the daemon is reached directly, never
	 * through the site's outbound proxy (WP_PROXY_HOST), which would see
	 * the shared secret and the customers' data in clear text. WordPress
	 * itself bypasses the proxy only for "localhost" and the site's host.
	 *
	 * @since 1.2.0
	 *
	 * @param bool|null $send Whether to use the proxy (null: WordPress decides).
	 * @param string    $uri  Request URL.
	 * @return bool|null
	 */
	public static function bypass_proxy( $send, $uri ) {
		return isset( self::$daemon_origins[ self::origin( (string) $uri ) ] ) ? false : $send;
	}

	/**
	 * Host and port of a URL, the key of $daemon_origins.
	 *
	 * @param string $url URL.
	 * @return string
	 */
	private static function origin( string $url ): string {
		$parts = wp_parse_url( $url );
		return strtolower( ( $parts['host'] ?? '' ) . ':' . ( $parts['port'] ?? '' ) );
	}

	/**
	 * A client configured from wp-config.php constants, else the Settings screen.
	 *
	 * @since 1.0.0
	 *
	 * @return self
	 */
	public static function from_config(): self {
		return new self( self::configured_url(), self::configured_secret() );
	}

	/**
	 * The daemon URL: SMI_DAEMON_URL, else the saved option, else the default.
	 *
	 * @since 1.0.0
	 *
	 * @return string
	 */
	public static function configured_url(): string {
		if ( defined( 'SMI_DAEMON_URL' ) && '' !== (string) SMI_DAEMON_URL ) {
			return (string) SMI_DAEMON_URL;
		}
		$saved = (string) get_option( 'smi_daemon_url', '' );
		return '' !== $saved ? $saved : self::DEFAULT_URL;
	}

	/**
	 * The shared secret: SMI_DAEMON_SECRET, else the saved option.
	 *
	 * @since 1.0.0
	 *
	 * @return string
	 */
	public static function configured_secret(): string {
		if ( defined( 'SMI_DAEMON_SECRET' ) && '' !== (string) SMI_DAEMON_SECRET ) {
			return (string) SMI_DAEMON_SECRET;
		}
		return (string) get_option( 'smi_daemon_secret', '' );
	}

	/**
	 * Sets CURLOPT_UNIX_SOCKET_PATH on requests this client marked.
	 *
	 * @since 1.0.0
	 *
	 * @param resource|CurlHandle $handle cURL handle.
	 * @param array               $args   Request arguments.
	 */
	public static function apply_unix_socket( $handle, $args ): void {
		if ( ! empty( $args['smi_unix_socket'] ) && defined( 'CURLOPT_UNIX_SOCKET_PATH' ) ) {
			curl_setopt( $handle, CURLOPT_UNIX_SOCKET_PATH, $args['smi_unix_socket'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.curl_curl_setopt
		}
	}

	/**
	 * The URL as configured (for messages to the admin).
	 *
	 * @since 1.0.0
	 *
	 * @return string
	 */
	public function display_url(): string {
		return $this->configured_url;
	}

	/**
	 * Unix socket path, or '' when the daemon is reached over TCP.
	 *
	 * @since 1.0.0
	 *
	 * @return string
	 */
	public function socket(): string {
		return $this->socket;
	}

	/**
	 * Full URL of a daemon path with a query string.
	 *
	 * @since 1.0.0
	 *
	 * @param string $path  Path starting with '/'.
	 * @param array  $query Query arguments; null and '' are left out.
	 * @return string
	 */
	public function url( string $path, array $query = array() ): string {
		$query = array_filter(
			$query,
			static function ( $v ) {
				return null !== $v && '' !== $v && array() !== $v;
			}
		);
		$url   = $this->base_url . $path;
		if ( $query ) {
			$url .= '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
		}
		return $url;
	}

	/**
	 * Headers every request carries: Bearer secret, the acting user, and a
	 * request id shared by every daemon call of this page load, which the
	 * daemon puts on each log line of those calls.
	 *
	 * @since 1.0.0
	 *
	 * @return array<string,string>
	 */
	public function auth_headers(): array {
		static $request_id = null;
		if ( null === $request_id ) {
			$request_id = 'wp-' . bin2hex( random_bytes( 8 ) );
		}
		$headers = array(
			'Authorization' => 'Bearer ' . $this->secret,
			'Accept'        => 'application/json',
			'X-Request-Id'  => $request_id,
		);
		$user    = wp_get_current_user();
		if ( $user && $user->exists() ) {
			$headers['X-SMI-Actor'] = 'wp:' . $user->ID . ':' . preg_replace( '/[\x00-\x1f\x7f]/', '', $user->user_login );
		}
		return $headers;
	}

	/**
	 * An error when the client cannot be used at all, else null.
	 *
	 * @since 1.0.0
	 *
	 * @return WP_Error|null
	 */
	public function config_error(): ?WP_Error {
		if ( '' === $this->secret ) {
			return new WP_Error(
				'smi_not_configured',
				__( 'Sell My Images has no daemon secret yet. Define SMI_DAEMON_SECRET in wp-config.php, or enter the secret under Sell My Images > Settings (it must match api.secret in smid\'s configuration).', 'sell-my-images' ),
				array( 'status' => 503 )
			);
		}
		if ( '' !== $this->socket && ! $this->unix_sockets_supported() ) {
			// Without cURL's socket option the request would go to
			// http://localhost/, the site's own web server, secret and all.
			return new WP_Error(
				'smi_not_configured',
				/* translators: %s: the configured daemon URL. */
				sprintf( __( 'The daemon URL "%s" is a Unix socket, which needs PHP\'s cURL extension (7.40 or later) here. Install it, or let smid listen on http://127.0.0.1:8787 and use that URL.', 'sell-my-images' ), $this->configured_url ),
				array( 'status' => 503 )
			);
		}
		if ( '' === $this->socket && ! preg_match( '#^https?://[^/\s]+#', $this->base_url ) ) {
			return new WP_Error(
				'smi_not_configured',
				/* translators: %s: the configured daemon URL. */
				sprintf( __( 'The daemon URL "%s" is not valid. Use http://127.0.0.1:8787 or unix:///path/to/smid.sock in SMI_DAEMON_URL or under Sell My Images > Settings.', 'sell-my-images' ), $this->configured_url ),
				array( 'status' => 503 )
			);
		}
		return null;
	}

	/**
	 * Whether requests can reach a Unix socket: WordPress's cURL transport
	 * with CURLOPT_UNIX_SOCKET_PATH (apply_unix_socket()).
	 *
	 * @since 1.2.0
	 *
	 * @return bool
	 */
	protected function unix_sockets_supported(): bool {
		return function_exists( 'curl_init' ) && defined( 'CURLOPT_UNIX_SOCKET_PATH' );
	}

	/**
	 * GET a JSON resource.
	 *
	 * @since 1.0.0
	 *
	 * @param string $path  Daemon path.
	 * @param array  $query Query arguments.
	 * @param array  $args  Optional. `timeout`, `headers`.
	 * @return array|WP_Error
	 */
	public function get( string $path, array $query = array(), array $args = array() ) {
		$args['query'] = $query;
		return $this->request( 'GET', $path, $args );
	}

	/**
	 * POST a JSON body.
	 *
	 * @since 1.0.0
	 *
	 * @param string $path Daemon path.
	 * @param array  $body Body, encoded as a JSON object.
	 * @param array  $args Optional. `timeout`, `headers`.
	 * @return array|WP_Error
	 */
	public function post( string $path, array $body = array(), array $args = array() ) {
		$args['json'] = $body;
		return $this->request( 'POST', $path, $args );
	}

	/**
	 * Sends a request and decodes the answer.
	 *
	 * @since 1.0.0
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Daemon path.
	 * @param array  $args   `query`, `json` (array sent as a JSON object), `headers`, `timeout`.
	 * @return array|WP_Error Decoded JSON object, or an error with `status` data.
	 */
	public function request( string $method, string $path, array $args = array() ) {
		$error = $this->config_error();
		if ( $error ) {
			return $error;
		}
		$headers = array_merge( $this->auth_headers(), $args['headers'] ?? array() );
		$body    = null;
		if ( array_key_exists( 'json', $args ) ) {
			$headers['Content-Type'] = 'application/json';
			$body                    = array() === $args['json'] ? '{}' : wp_json_encode( $args['json'] );
		}
		$response = wp_remote_request( $this->url( $path, $args['query'] ?? array() ), $this->http_args( $method, $headers, $body, $args ) );
		return $this->decode( $response );
	}

	/**
	 * Sends a raw body and returns the daemon's answer as it is, whatever its
	 * status (used by the webhook bridges).
	 *
	 * @since 1.0.0
	 *
	 * @param string $method  HTTP method.
	 * @param string $path    Daemon path.
	 * @param string $body    Raw body, sent unchanged.
	 * @param array  $headers Extra headers.
	 * @param array  $args    Optional. `timeout`.
	 * @return array|WP_Error `status`, `headers` (lower-case names), `body`; WP_Error when unreachable.
	 */
	public function forward( string $method, string $path, string $body, array $headers = array(), array $args = array() ) {
		$error = $this->config_error();
		if ( $error ) {
			return $error;
		}
		$headers  = array_merge( $this->auth_headers(), $headers );
		$response = wp_remote_request( $this->url( $path ), $this->http_args( $method, $headers, $body, $args ) );
		if ( is_wp_error( $response ) ) {
			return $this->unreachable( $response );
		}
		$out = array();
		foreach ( wp_remote_retrieve_headers( $response ) as $name => $value ) {
			$out[ strtolower( $name ) ] = is_array( $value ) ? implode( ', ', $value ) : (string) $value;
		}
		return array(
			'status'  => (int) wp_remote_retrieve_response_code( $response ),
			'headers' => $out,
			'body'    => (string) wp_remote_retrieve_body( $response ),
		);
	}

	/**
	 * Streams a daemon response chunk by chunk, without holding it in
	 * memory (SMI_Daemon_Stream).
	 *
	 * @since 1.0.0
	 *
	 * @param string   $method     GET or HEAD.
	 * @param string   $path       Daemon path.
	 * @param array    $query      Query arguments.
	 * @param array    $headers    Extra request headers.
	 * @param callable $on_headers Called once with (int $status, array $headers) before the first chunk.
	 * @param callable $on_chunk   Called with each chunk (string); return false to stop.
	 * @return array|WP_Error `status` and `headers`, or an error when the daemon could not be reached.
	 */
	public function stream( string $method, string $path, array $query, array $headers, callable $on_headers, callable $on_chunk ) {
		$error = $this->config_error();
		if ( $error ) {
			return $error;
		}
		return ( new SMI_Daemon_Stream( $this ) )->run( $method, $this->url( $path, $query ), array_merge( $this->auth_headers(), $headers ), $on_headers, $on_chunk );
	}

	/**
	 * Arguments for wp_remote_request.
	 *
	 * @since 1.0.0
	 *
	 * @param string      $method  HTTP method.
	 * @param array       $headers Headers.
	 * @param string|null $body    Raw body.
	 * @param array       $args    Caller's args (`timeout`).
	 * @return array
	 */
	public function http_args( string $method, array $headers, ?string $body, array $args ): array {
		$http = array(
			'method'          => $method,
			'timeout'         => (float) ( $args['timeout'] ?? $this->timeout ),
			'redirection'     => 0,
			'headers'         => $headers,
			'user-agent'      => 'sell-my-images/' . ( defined( 'SMI_VERSION' ) ? SMI_VERSION : '1' ) . '; ' . home_url( '/' ),
			'smi_unix_socket' => $this->socket,
		);
		if ( null !== $body ) {
			$http['body'] = $body;
		}
		return $http;
	}

	/**
	 * Maps a wp_remote_* response to data or WP_Error.
	 *
	 * @since 1.0.0
	 *
	 * @param array|WP_Error $response Response.
	 * @return array|WP_Error
	 */
	public function decode( $response ) {
		if ( is_wp_error( $response ) ) {
			return $this->unreachable( $response );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$body   = (string) wp_remote_retrieve_body( $response );
		$data   = '' === $body ? array() : json_decode( $body, true );

		if ( $status >= 200 && $status < 300 ) {
			if ( ! is_array( $data ) ) {
				return new WP_Error(
					'smi_daemon_bad_response',
					/* translators: %d: HTTP status code. */
					sprintf( __( 'The daemon answered HTTP %d with something that is not JSON. Is SMI_DAEMON_URL pointing at smid and not at another server?', 'sell-my-images' ), $status ),
					array( 'status' => 502 )
				);
			}
			return $data;
		}

		if ( is_array( $data ) && isset( $data['error'] ) && is_array( $data['error'] ) ) {
			$err     = $data['error'];
			$code    = isset( $err['code'] ) && is_string( $err['code'] ) && '' !== $err['code'] ? sanitize_key( $err['code'] ) : 'smi_daemon_error';
			$message = isset( $err['message'] ) && is_string( $err['message'] ) ? $err['message'] : '';
			if ( '' === $message ) {
				/* translators: %d: HTTP status code. */
				$message = sprintf( __( 'The daemon refused the request (HTTP %d).', 'sell-my-images' ), $status );
			}
			if ( 401 === $status ) {
				$message .= ' ' . __( 'Check that SMI_DAEMON_SECRET (or the secret under Sell My Images > Settings) matches api.secret in smid\'s configuration.', 'sell-my-images' );
			}
			$extra = array( 'status' => $status );
			foreach ( array( 'param', 'reason' ) as $key ) {
				if ( isset( $err[ $key ] ) && is_scalar( $err[ $key ] ) && '' !== $err[ $key ] ) {
					$extra[ $key ] = (string) $err[ $key ];
				}
			}
			return new WP_Error( $code, $message, $extra );
		}

		return new WP_Error(
			'smi_daemon_error',
			/* translators: %d: HTTP status code. */
			sprintf( __( 'The daemon answered HTTP %d without an explanation. Look at smid\'s log for details.', 'sell-my-images' ), $status ),
			array( 'status' => $status )
		);
	}

	/**
	 * The error for a daemon that could not be reached.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_Error $cause Transport error.
	 * @return WP_Error
	 */
	public function unreachable( WP_Error $cause ): WP_Error {
		return new WP_Error(
			'smi_daemon_unreachable',
			sprintf(
				/* translators: 1: daemon URL, 2: transport error message. */
				__( 'The Sell My Images daemon (smid) did not answer at %1$s (%2$s). Check that smid is running, then that SMI_DAEMON_URL in wp-config.php (or Sell My Images > Settings) points to it.', 'sell-my-images' ),
				$this->configured_url,
				$cause->get_error_message()
			),
			array( 'status' => 503 )
		);
	}
}
