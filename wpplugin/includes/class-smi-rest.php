<?php
/**
 * Public REST routes (namespace smi/v1).
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * What a visitor's browser may ask: prices of an image, a checkout, and the
 * public status of its job. The routes are public, so everything about the
 * image (URL, size) is derived here from the media library, never taken
 * from the browser; only images the offering post shows are for sale
 * (SMI_Sale_Policy); checkouts are rate-limited per client address.
 *
 * @since 1.0.0
 */
class SMI_REST {

	/**
	 * Route namespace.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	const NS = 'smi/v1';

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Checkout rate limiter.
	 *
	 * @since 1.1.0
	 * @var SMI_Rate_Limiter
	 */
	private SMI_Rate_Limiter $limiter;

	/**
	 * Builds the routes.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client     $client  Daemon client.
	 * @param SMI_Rate_Limiter|null $limiter Optional checkout rate limiter.
	 */
	public function __construct( SMI_Daemon_Client $client, ?SMI_Rate_Limiter $limiter = null ) {
		$this->client  = $client;
		$this->limiter = $limiter ?? new SMI_Rate_Limiter();
	}

	/**
	 * Hooks route registration.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
	}

	/**
	 * Registers the routes.
	 *
	 * @since 1.0.0
	 */
	public function register_routes(): void {
		$id_arg = array(
			'type'              => 'integer',
			'required'          => true,
			'minimum'           => 1,
			'sanitize_callback' => 'absint',
		);
		register_rest_route(
			self::NS,
			'/prices',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'prices' ),
				'permission_callback' => '__return_true',
				'args'                => array(
					'attachment_id' => $id_arg,
					'post_id'       => $id_arg,
				),
			)
		);
		register_rest_route(
			self::NS,
			'/checkout',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'checkout' ),
				'permission_callback' => '__return_true',
				'args'                => array(
					'attachment_id' => $id_arg,
					'post_id'       => $id_arg,
					'resolution'    => array(
						'type'     => 'string',
						'required' => true,
						'pattern'  => '^[0-9]{1,2}x$',
					),
					'email'         => array(
						'type'              => 'string',
						'required'          => false,
						'validate_callback' => static function ( $value ) {
							return '' === $value || ( is_string( $value ) && strlen( $value ) <= 254 && false !== is_email( $value ) );
						},
						'sanitize_callback' => 'sanitize_email',
					),
				),
			)
		);
		register_rest_route(
			self::NS,
			'/jobs/(?P<job_id>[0-9a-f-]{36})/status',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, 'job_status' ),
				'permission_callback' => '__return_true',
				'args'                => array(
					'job_id' => array(
						'type'              => 'string',
						'required'          => true,
						'validate_callback' => array( 'SMI_Format', 'is_uuid' ),
					),
				),
			)
		);
	}

	/**
	 * Source width and height from the attachment's metadata.
	 *
	 * @since 1.0.0
	 *
	 * @param int $attachment_id Attachment ID.
	 * @return array|WP_Error `width`, `height`.
	 */
	private function dimensions( int $attachment_id ) {
		$meta   = wp_get_attachment_metadata( $attachment_id );
		$width  = is_array( $meta ) ? (int) ( $meta['width'] ?? 0 ) : 0;
		$height = is_array( $meta ) ? (int) ( $meta['height'] ?? 0 ) : 0;
		if ( $width <= 0 || $height <= 0 ) {
			return new WP_Error( 'smi_no_dimensions', __( 'This image is not for sale.', 'sell-my-images' ), array( 'status' => 400 ) );
		}
		return array(
			'width'  => $width,
			'height' => $height,
		);
	}

	/**
	 * A daemon error as a public one: no internals, the right status.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_Error $error Daemon error.
	 * @return WP_Error
	 */
	private function public_error( WP_Error $error ): WP_Error {
		$status = (int) ( $error->get_error_data()['status'] ?? 500 );
		if ( in_array( $error->get_error_code(), array( 'smi_daemon_unreachable', 'smi_not_configured', 'unauthorized', 'forbidden' ), true ) || $status >= 500 || 401 === $status || 403 === $status ) {
			error_log( 'Sell My Images: ' . $error->get_error_message() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			return new WP_Error( 'smi_unavailable', __( 'Purchases are temporarily unavailable. Please try again in a few minutes.', 'sell-my-images' ), array( 'status' => 503 ) );
		}
		return new WP_Error( 'smi_' . $error->get_error_code(), $error->get_error_message(), array( 'status' => $status ) );
	}

	/**
	 * GET /smi/v1/prices?attachment_id=: the resolutions and their prices.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function prices( WP_REST_Request $request ) {
		$attachment_id = (int) $request['attachment_id'];
		$ok            = SMI_Sale_Policy::check( $attachment_id, (int) $request['post_id'] );
		if ( is_wp_error( $ok ) ) {
			return $ok;
		}
		$size = $this->dimensions( $attachment_id );
		if ( is_wp_error( $size ) ) {
			return $size;
		}
		$data = $this->client->get(
			'/v1/prices',
			array(
				'image_width'  => $size['width'],
				'image_height' => $size['height'],
			),
			array( 'timeout' => 8 )
		);
		if ( is_wp_error( $data ) ) {
			return $this->public_error( $data );
		}
		$currency = (string) ( $data['currency'] ?? 'usd' );
		$prices   = array();
		foreach ( (array) ( $data['prices'] ?? array() ) as $price ) {
			if ( ! is_array( $price ) ) {
				continue;
			}
			// Credits and costs are ours; the visitor sees the price and the size.
			$prices[] = array(
				'resolution'      => (string) ( $price['resolution'] ?? '' ),
				'amount'          => (int) ( $price['amount'] ?? 0 ),
				'amount_display'  => SMI_Format::money( $price['amount'] ?? 0, $currency ),
				'output_width'    => (int) ( $price['output_width'] ?? 0 ),
				'output_height'   => (int) ( $price['output_height'] ?? 0 ),
			);
		}
		return rest_ensure_response(
			array(
				'attachment_id' => $attachment_id,
				'image_width'   => $size['width'],
				'image_height'  => $size['height'],
				'currency'      => $currency,
				'prices'        => $prices,
			)
		);
	}

	/**
	 * POST /smi/v1/checkout: creates a Stripe Checkout through the daemon.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function checkout( WP_REST_Request $request ) {
		$limited = $this->rate_limit();
		if ( is_wp_error( $limited ) ) {
			$response = rest_convert_error_to_response( $limited );
			$response->header( 'Retry-After', (string) $limited->get_error_data()['retry_after'] );
			return $response;
		}
		$attachment_id = (int) $request['attachment_id'];
		$post_id       = (int) $request['post_id'];
		$ok            = SMI_Sale_Policy::check( $attachment_id, $post_id );
		if ( is_wp_error( $ok ) ) {
			return $ok;
		}
		$size = $this->dimensions( $attachment_id );
		if ( is_wp_error( $size ) ) {
			return $size;
		}
		$image_url = wp_get_attachment_url( $attachment_id );
		if ( ! $image_url ) {
			return new WP_Error( 'smi_no_file', __( 'This image is not for sale.', 'sell-my-images' ), array( 'status' => 400 ) );
		}
		$permalink = (string) get_permalink( $post_id );
		$body      = array(
			'post_id'       => $post_id,
			'attachment_id' => $attachment_id,
			'image_url'     => $image_url,
			'image_width'   => $size['width'],
			'image_height'  => $size['height'],
			'resolution'    => (string) $request['resolution'],
			'success_url'   => add_query_arg( 'smi_checkout', 'success', $permalink ),
			'cancel_url'    => add_query_arg( 'smi_checkout', 'cancel', $permalink ),
		);
		$email     = (string) $request['email'];
		if ( '' !== $email ) {
			$body['email'] = $email;
		}
		$data = $this->client->post( '/v1/checkouts', $body, array( 'timeout' => 20 ) );
		if ( is_wp_error( $data ) ) {
			return $this->public_error( $data );
		}
		if ( empty( $data['checkout_url'] ) || ! preg_match( '#^https?://[^/\s]+#', (string) $data['checkout_url'] ) ) {
			return $this->public_error( new WP_Error( 'smi_daemon_bad_response', 'The daemon gave no checkout URL.', array( 'status' => 502 ) ) );
		}
		$response = rest_ensure_response(
			array(
				'checkout_url' => (string) $data['checkout_url'],
				'job_id'       => (string) ( $data['job_id'] ?? '' ),
			)
		);
		$response->set_status( 201 );
		return $response;
	}

	/**
	 * GET /smi/v1/jobs/{id}/status: the few public fields of a job.
	 *
	 * @since 1.0.0
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function job_status( WP_REST_Request $request ) {
		$job_id = (string) $request['job_id'];
		$data   = $this->client->get( '/v1/jobs/' . rawurlencode( $job_id ) . '/public', array(), array( 'timeout' => 5 ) );
		if ( is_wp_error( $data ) ) {
			return $this->public_error( $data );
		}
		return rest_ensure_response(
			array(
				'job_id'         => (string) ( $data['job_id'] ?? $job_id ),
				'status'         => (string) ( $data['status'] ?? '' ),
				'payment_status' => (string) ( $data['payment_status'] ?? '' ),
				'resolution'     => (string) ( $data['resolution'] ?? '' ),
				'download_ready' => ! empty( $data['download_ready'] ),
			)
		);
	}

	/**
	 * Counts checkouts per client address (behind trusted proxies, IPv6 per
	 * /64) in an atomic counter; refuses past the limit.
	 *
	 * @since 1.0.0
	 *
	 * @return true|WP_Error
	 */
	private function rate_limit() {
		$ip = SMI_Client_IP::current();
		/**
		 * Filters how many checkouts one client address may start per window.
		 *
		 * @since 1.0.0
		 *
		 * @param int    $limit Default 10.
		 * @param string $ip    Client address ('' when unknown).
		 */
		$limit = (int) apply_filters( 'smi_checkout_rate_limit', 10, $ip );
		/**
		 * Filters the rate-limit window in seconds.
		 *
		 * @since 1.0.0
		 *
		 * @param int $window Default 600.
		 */
		$window = max( 1, (int) apply_filters( 'smi_checkout_rate_window', 10 * MINUTE_IN_SECONDS ) );
		$hit    = $this->limiter->hit( 'checkout|' . SMI_Client_IP::bucket( $ip ), $limit, $window );
		if ( ! $hit['allowed'] ) {
			return new WP_Error(
				'smi_rate_limited',
				__( 'Too many purchase attempts from your network. Please wait a few minutes and try again.', 'sell-my-images' ),
				array(
					'status'      => 429,
					'retry_after' => $hit['retry_after'],
				)
			);
		}
		return true;
	}
}
