<?php
/**
 * Public URLs that forward to the daemon.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * The site's public doors to the daemon, so the daemon itself never needs to
 * be reachable from the internet:
 *
 * - `/smi-webhook/stripe/` and `/smi-webhook/upsampler/`: POST only, raw body
 *   and signature forwarded unchanged, the daemon's status and body answered.
 * - `/wp-json/smi/v1/download/{token}`: the original PHP plugin's download
 *   URL, answered exactly as `/smi-download/`, so links it emailed (64
 *   letters and digits) keep working.
 * - `/smi-download/{token}`: the file streamed from the daemon (Range
 *   supported), or the daemon's redirect to a short-lived signed URL when
 *   files sit in object storage; an expired or unknown link gets a
 *   friendly page.
 *
 * @since 1.0.0
 */
class SMI_Bridges {

	/**
	 * Largest webhook body accepted, in bytes (filter `smi_webhook_max_bytes`).
	 *
	 * @since 1.0.0
	 * @var int
	 */
	const MAX_WEBHOOK_BYTES = 1048576;

	/**
	 * Download tokens accepted: ours (64 hex) and the original plugin's (64
	 * letters and digits), within the daemon's own bounds.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const TOKEN_PATTERN = '/^[A-Za-z0-9]{16,128}$/';

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Relay for downloads.
	 *
	 * @since 1.0.0
	 * @var SMI_Passthrough
	 */
	private SMI_Passthrough $relay;

	/**
	 * Builds the bridges.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 * @param SMI_Passthrough   $relay  Relay for downloads.
	 */
	public function __construct( SMI_Daemon_Client $client, SMI_Passthrough $relay ) {
		$this->client = $client;
		$this->relay  = $relay;
	}

	/**
	 * Hooks the rewrite rules and the request handling.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'init', array( __CLASS__, 'add_rewrite_rules' ) );
		add_filter( 'query_vars', array( $this, 'query_vars' ) );
		add_action( 'template_redirect', array( $this, 'template_redirect' ), 0 );
		add_action( 'rest_api_init', array( $this, 'register_rest_routes' ) );
	}

	/**
	 * Registers the original plugin's public download route,
	 * `smi/v1/download/{token}`, GET and HEAD.
	 *
	 * @since 1.1.0
	 */
	public function register_rest_routes(): void {
		register_rest_route(
			'smi/v1',
			'/download/(?P<token>[A-Za-z0-9]+)',
			array(
				'methods'             => array( 'GET', 'HEAD' ),
				'callback'            => array( $this, 'rest_download' ),
				// Public by design: the token is the credential, checked by the daemon.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * Answers the original plugin's download URL as `/smi-download/` does,
	 * then ends the request so the REST server adds nothing to the file.
	 *
	 * @since 1.1.0
	 *
	 * @param WP_REST_Request $request Request.
	 */
	public function rest_download( WP_REST_Request $request ): void {
		$this->download_from_request( (string) $request->get_param( 'token' ), strtoupper( $request->get_method() ) );
		$this->end_request();
	}

	/**
	 * Ends the request after a download was answered.
	 *
	 * @since 1.1.0
	 */
	protected function end_request(): void {
		exit;
	}

	/**
	 * Serves a download with the request's Range and client address.
	 *
	 * @since 1.1.0
	 *
	 * @param string $token  Token from the URL.
	 * @param string $method GET or HEAD.
	 */
	private function download_from_request( string $token, string $method ): void {
		$range = isset( $_SERVER['HTTP_RANGE'] ) ? sanitize_text_field( wp_unslash( $_SERVER['HTTP_RANGE'] ) ) : '';
		// The visitor's address as the trusted proxies report it, as for a
		// checkout: behind a CDN, REMOTE_ADDR is the CDN's for every download.
		$this->serve_download( $token, $method, $range, SMI_Client_IP::current() );
	}

	/**
	 * Adds the rewrite rules (also called on activation before flushing).
	 *
	 * @since 1.0.0
	 */
	public static function add_rewrite_rules(): void {
		add_rewrite_rule( '^smi-webhook/(stripe|upsampler)/?$', 'index.php?smi_webhook=$matches[1]', 'top' );
		add_rewrite_rule( '^smi-download/([^/]+)/?$', 'index.php?smi_download=$matches[1]', 'top' );
	}

	/**
	 * Declares the query vars.
	 *
	 * @since 1.0.0
	 *
	 * @param string[] $vars Public query vars.
	 * @return string[]
	 */
	public function query_vars( $vars ) {
		$vars[] = 'smi_webhook';
		$vars[] = 'smi_download';
		return $vars;
	}

	/**
	 * Answers bridge URLs before any template runs.
	 *
	 * @since 1.0.0
	 */
	public function template_redirect(): void {
		$webhook  = (string) get_query_var( 'smi_webhook' );
		$download = (string) get_query_var( 'smi_download' );
		$method   = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_key( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : 'GET';

		if ( '' !== $webhook ) {
			$max  = $this->max_bytes();
			$body = 'POST' === $method ? (string) file_get_contents( 'php://input', false, null, 0, $max + 1 ) : '';
			// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a machine callback; the daemon validates it.
			$job = isset( $_GET['job'] ) ? sanitize_text_field( wp_unslash( $_GET['job'] ) ) : '';
			// The attempt and its proof: the daemon checks them; they only pass through.
			$proof = array(
				'a' => isset( $_GET['a'] ) ? sanitize_text_field( wp_unslash( $_GET['a'] ) ) : '', // phpcs:ignore WordPress.Security.NonceVerification.Recommended
				'k' => isset( $_GET['k'] ) ? sanitize_text_field( wp_unslash( $_GET['k'] ) ) : '', // phpcs:ignore WordPress.Security.NonceVerification.Recommended
			);
			$this->send( $this->handle_webhook( $webhook, $method, $body, self::request_headers(), $job, $proof ) );
			exit;
		}
		if ( '' !== $download ) {
			$this->download_from_request( $download, $method );
			$this->end_request();
		}
	}

	/**
	 * Largest webhook body accepted.
	 *
	 * @since 1.0.0
	 *
	 * @return int
	 */
	private function max_bytes(): int {
		/**
		 * Filters the largest webhook body the bridge forwards, in bytes.
		 *
		 * @since 1.0.0
		 *
		 * @param int $bytes Default 1 MiB.
		 */
		return max( 1, (int) apply_filters( 'smi_webhook_max_bytes', self::MAX_WEBHOOK_BYTES ) );
	}

	/**
	 * The request's headers, lower-case names.
	 *
	 * @since 1.0.0
	 *
	 * @return array<string,string>
	 */
	public static function request_headers(): array {
		$out = array();
		foreach ( $_SERVER as $key => $value ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- forwarded unchanged by design (signatures).
			if ( ! is_string( $value ) ) {
				continue;
			}
			if ( 0 === strpos( $key, 'HTTP_' ) ) {
				$out[ strtolower( str_replace( '_', '-', substr( $key, 5 ) ) ) ] = $value;
			} elseif ( in_array( $key, array( 'CONTENT_TYPE', 'CONTENT_LENGTH' ), true ) ) {
				$out[ strtolower( str_replace( '_', '-', $key ) ) ] = $value;
			}
		}
		return $out;
	}

	/**
	 * Forwards one webhook call and returns the answer to send.
	 *
	 * @since 1.0.0
	 *
	 * @param string $provider stripe|upsampler.
	 * @param string $method   Request method.
	 * @param string $body     Raw request body.
	 * @param array  $headers  Request headers, lower-case names.
	 * @param string $job      For Upsampler: the job id the daemon put in the callback URL.
	 * @param array  $proof    For Upsampler: the attempt (`a`) and its proof (`k`) from the callback URL.
	 * @return array `status`, `headers` (name => value), `body`.
	 */
	public function handle_webhook( string $provider, string $method, string $body, array $headers, string $job = '', array $proof = array() ): array {
		if ( ! in_array( $provider, array( 'stripe', 'upsampler' ), true ) ) {
			return self::json_answer( 404, 'not_found', 'Unknown webhook.' );
		}
		if ( 'POST' !== $method ) {
			$answer                     = self::json_answer( 405, 'method_not_allowed', 'Webhooks must be sent with POST.' );
			$answer['headers']['Allow'] = 'POST';
			return $answer;
		}
		$max = $this->max_bytes();
		if ( ( isset( $headers['content-length'] ) && (int) $headers['content-length'] > $max ) || strlen( $body ) > $max ) {
			return self::json_answer( 413, 'too_large', 'The webhook body is too large.' );
		}

		$forward = array( 'Content-Type' => $headers['content-type'] ?? 'application/json' );
		if ( 'stripe' === $provider && isset( $headers['stripe-signature'] ) ) {
			$forward['Stripe-Signature'] = $headers['stripe-signature'];
		}
		if ( 'upsampler' === $provider ) {
			foreach ( $headers as $name => $value ) {
				if ( 0 === strpos( $name, 'x-upsampler-' ) || 'upsampler-signature' === $name ) {
					$forward[ $name ] = $value;
				}
			}
		}

		$path = '/v1/webhooks/' . $provider;
		if ( 'upsampler' === $provider ) {
			// The daemon finds the job by the id it put in the callback URL.
			if ( ! SMI_Format::is_uuid( $job ) ) {
				return self::json_answer( 400, 'invalid', 'The callback URL lacks its job id.' );
			}
			$path .= '?job=' . rawurlencode( strtolower( $job ) );
			foreach ( array( 'a', 'k' ) as $name ) {
				if ( isset( $proof[ $name ] ) && preg_match( '/^[0-9a-f]{1,64}$/', (string) $proof[ $name ] ) ) {
					$path .= '&' . $name . '=' . rawurlencode( (string) $proof[ $name ] );
				}
			}
		}
		$answer = $this->client->forward( 'POST', $path, $body, $forward, array( 'timeout' => 20 ) );
		if ( is_wp_error( $answer ) ) {
			error_log( 'Sell My Images: webhook not forwarded: ' . $answer->get_error_message() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			// 503 makes Stripe and Upsampler retry later.
			return self::json_answer( 503, 'unavailable', 'The payment service is temporarily unavailable.' );
		}
		return array(
			'status'  => $answer['status'],
			'headers' => array( 'Content-Type' => $answer['headers']['content-type'] ?? 'application/json' ),
			'body'    => $answer['body'],
		);
	}

	/**
	 * A JSON error answer in the daemon's shape.
	 *
	 * @since 1.0.0
	 *
	 * @param int    $status  HTTP status.
	 * @param string $code    Error code.
	 * @param string $message Message.
	 * @return array
	 */
	private static function json_answer( int $status, string $code, string $message ): array {
		return array(
			'status'  => $status,
			'headers' => array( 'Content-Type' => 'application/json' ),
			'body'    => (string) wp_json_encode(
				array(
					'error' => array(
						'code'    => $code,
						'message' => $message,
					),
				)
			),
		);
	}

	/**
	 * Sends an answer built by handle_webhook.
	 *
	 * @since 1.0.0
	 *
	 * @param array $answer Answer.
	 */
	private function send( array $answer ): void {
		status_header( (int) $answer['status'] );
		nocache_headers();
		foreach ( $answer['headers'] as $name => $value ) {
			header( $name . ': ' . preg_replace( '/[\r\n]+/', ' ', (string) $value ) );
		}
		echo $answer['body']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the daemon's JSON answer to a machine.
	}

	/**
	 * Streams a download (or passes on the daemon's redirect to object
	 * storage), or shows a friendly page when the link does not work.
	 *
	 * @since 1.0.0
	 *
	 * @param string $token  Token from the URL.
	 * @param string $method GET or HEAD.
	 * @param string $range  Range header ('' for none).
	 * @param string $ip     Customer IP.
	 */
	public function serve_download( string $token, string $method, string $range, string $ip ): void {
		if ( ! preg_match( self::TOKEN_PATTERN, $token ) ) {
			$this->download_page( 404, 'unknown' );
			return;
		}
		if ( ! in_array( $method, array( 'GET', 'HEAD' ), true ) ) {
			$this->download_page( 405, 'method' );
			return;
		}
		$headers = array( 'X-SMI-Client-IP' => $ip );
		if ( '' !== $range && preg_match( '/^bytes=[0-9, \-]{1,200}$/', $range ) ) {
			$headers['Range'] = $range;
		}
		$result = $this->relay->relay(
			$method,
			'/v1/downloads/' . $token,
			array(),
			$headers,
			array(
				// 302: the file sits in object storage; the browser fetches it from a short-lived signed URL.
				'statuses' => array( 200, 206, 302, 416 ),
				'headers'  => array( 'Content-Type', 'Content-Length', 'Content-Disposition', 'Content-Range', 'Accept-Ranges', 'Last-Modified', 'ETag', 'Location' ),
				'extra'    => array( 'Cache-Control: private, no-store', 'X-Content-Type-Options: nosniff' ),
			)
		);
		if ( $result['relayed'] ) {
			return;
		}
		if ( $result['error'] ) {
			error_log( 'Sell My Images: download not served: ' . $result['error']->get_error_message() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			$this->download_page( 503, 'unavailable' );
			return;
		}
		$decoded = json_decode( (string) $result['body'], true );
		$reason  = is_array( $decoded ) && isset( $decoded['error']['reason'] ) && is_string( $decoded['error']['reason'] ) ? $decoded['error']['reason'] : '';
		$status  = (int) $result['status'];
		if ( 410 === $status ) {
			$this->download_page( 410, '' !== $reason ? $reason : 'expired' );
		} elseif ( 404 === $status ) {
			$this->download_page( 404, '' !== $reason ? $reason : 'unknown' );
		} else {
			$this->download_page( 503, 'unavailable' );
		}
	}

	/**
	 * The page a customer sees when a download cannot be served.
	 *
	 * @since 1.0.0
	 *
	 * @param int    $status HTTP status.
	 * @param string $reason expired|refunded|not_completed|unknown|unavailable|method.
	 */
	private function download_page( int $status, string $reason ): void {
		$messages = array(
			'expired'       => __( 'This download link has expired. Contact us and we\'ll send a new one.', 'sell-my-images' ),
			'refunded'      => __( 'This purchase was refunded, so its download is no longer available. Contact us if you think this is a mistake.', 'sell-my-images' ),
			'not_completed' => __( 'Your image is still being prepared. Try this link again in a few minutes; we will also email you when it is ready.', 'sell-my-images' ),
			'unknown'       => __( 'This download link is not valid. Check that you copied the whole link from your email, or contact us and we\'ll send a new one.', 'sell-my-images' ),
			'unavailable'   => __( 'Downloads are temporarily unavailable. Please try again in a few minutes.', 'sell-my-images' ),
			'method'        => __( 'This address only serves downloads.', 'sell-my-images' ),
		);
		$message  = $messages[ $reason ] ?? $messages['unknown'];
		wp_die(
			'<h1>' . esc_html__( 'Download unavailable', 'sell-my-images' ) . '</h1><p class="smi-download-error smi-download-' . esc_attr( sanitize_html_class( $reason ) ) . '">' . esc_html( $message ) . '</p>',
			esc_html__( 'Download unavailable', 'sell-my-images' ),
			array(
				'response'  => $status,
				'link_url'  => home_url( '/' ),
				'link_text' => __( 'Back to the site', 'sell-my-images' ),
			)
		);
	}
}
