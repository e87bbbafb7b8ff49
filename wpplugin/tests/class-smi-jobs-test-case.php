<?php
/**
 * Base class of the Jobs screen's tests: a daemon that publishes its lists
 * and limits on /v1/system, and jobs carrying the daemon's verdicts.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/class-smi-test-case.php';

/**
 * Routes intercepted daemon requests by path, with `/v1/system` answered
 * as the daemon publishes it unless a test says otherwise.
 */
abstract class SMI_Jobs_Test_Case extends SMI_Test_Case {

	/**
	 * Answers by path: path => array|WP_Error|callable( $url, $args ).
	 *
	 * @var array
	 */
	protected array $routes = array();

	/**
	 * Answers requests no route matches: fn( $url, $args ).
	 *
	 * @var callable|null
	 */
	private $fallback = null;

	/**
	 * Forgets the cached daemon answers and routes /v1/system.
	 */
	protected function setUp(): void {
		parent::setUp();
		SMI_Daemon_System::flush();
		SMI_Cache::delete( SMI_Cache::ATTENTION );
		$this->routes   = array( '/v1/system' => $this->json( 200, self::system_answer() ) );
		$this->fallback = null;
		parent::respond( array( $this, 'route' ) );
	}

	/**
	 * The daemon's `/v1/system` as the daemon publishes it.
	 *
	 * @return array
	 */
	public static function system_answer(): array {
		return array(
			'version'     => 'test',
			'stripe_mode' => 'test',
			'currency'    => 'usd',
			'lists'       => array(
				'statuses'         => array( 'awaiting_payment', 'pending', 'processing', 'completed', 'failed', 'abandoned' ),
				'payment_statuses' => array( 'pending', 'paid', 'failed', 'partially_refunded', 'refunded', 'disputed' ),
				'sort_columns'     => array( 'created_at', 'paid_at', 'completed_at', 'amount_charged', 'status', 'payment_status', 'email' ),
				'currencies'       => array( 'usd' ),
				'actions'          => array( 'retry', 'regenerate_token', 'refund', 'set_status', 'resend_email', 'reconcile' ),
				'attention'        => array( 'failed', 'stuck', 'email_not_sent', 'disputed', 'refund_pending' ),
			),
			'limits'      => array(
				'reason_max'          => 1000,
				'idempotency_key_max' => 200,
				'batch_max'           => 500,
				'per_page_max'        => 200,
				'note_max'            => 1000,
			),
		);
	}

	/**
	 * Answers every path but the routed ones (/v1/system) with $responder.
	 *
	 * @param callable $responder fn( $url, $args ).
	 */
	protected function respond( callable $responder ): void {
		$this->fallback = $responder;
	}

	/**
	 * Adds or replaces routes.
	 *
	 * @param array $routes path => answer.
	 */
	protected function serve( array $routes ): void {
		$this->routes = array_merge( $this->routes, $routes );
	}

	/**
	 * The responder: the longest route that is the request's path.
	 *
	 * @param string $url  URL.
	 * @param array  $args Request args.
	 * @return array|WP_Error
	 */
	public function route( $url, $args ) {
		$path = (string) wp_parse_url( $url, PHP_URL_PATH );
		if ( isset( $this->routes[ $path ] ) ) {
			$answer = $this->routes[ $path ];
			return is_callable( $answer ) ? $answer( $url, $args ) : $answer;
		}
		return $this->fallback ? call_user_func( $this->fallback, $url, $args ) : $this->json( 200, array() );
	}

	/**
	 * Requests to one daemon path.
	 *
	 * @param string $path Path.
	 * @return array[]
	 */
	protected function requests_to( string $path ): array {
		return array_values( array_filter( $this->requests, static fn( $r ) => wp_parse_url( $r['url'], PHP_URL_PATH ) === $path ) );
	}

	/**
	 * Query arguments of a recorded request.
	 *
	 * @param array $request Recorded request.
	 * @return array
	 */
	protected function query_of( array $request ): array {
		parse_str( (string) wp_parse_url( $request['url'], PHP_URL_QUERY ), $query );
		return $query;
	}

	/**
	 * The daemon's lists and limits through the intercepted client.
	 *
	 * @return SMI_Daemon_System
	 */
	protected function system(): SMI_Daemon_System {
		return new SMI_Daemon_System( $this->client() );
	}

	/**
	 * A job as the daemon lists it, with its verdicts.
	 *
	 * @param array $overrides Fields.
	 * @return array
	 */
	protected function job( array $overrides = array() ): array {
		$yes = array( 'allowed' => true );
		return parent::job(
			array_merge(
				array(
					'refundable' => 1299,
					'attention'  => array(),
					'last_error' => null,
					'actions'    => array(
						'retry'            => $yes,
						'regenerate_token' => $yes,
						'refund'           => $yes,
						'set_status'       => array(
							'allowed' => true,
							'targets' => array( 'failed' ),
						),
						'resend_email'     => $yes,
						'reconcile'        => $yes,
					),
				),
				$overrides
			)
		);
	}

	/**
	 * Verdicts refusing every action but those named.
	 *
	 * @param string[] $allowed Allowed actions.
	 * @return array
	 */
	protected function only( array $allowed ): array {
		$out = array();
		foreach ( array( 'retry', 'regenerate_token', 'refund', 'set_status', 'resend_email', 'reconcile' ) as $action ) {
			$out[ $action ] = in_array( $action, $allowed, true ) ? array( 'allowed' => true ) : array(
				'allowed' => false,
				'reason'  => "no $action <here>",
			);
		}
		return $out;
	}

	/**
	 * Runs an admin-ajax handler and returns its decoded JSON answer.
	 *
	 * @param callable $fn The handler.
	 */
	protected function ajax( callable $fn ): array {
		add_filter( 'wp_doing_ajax', '__return_true' );
		ob_start();
		try {
			$fn();
		} catch ( SMI_Test_Die $die ) {
			// The wp_send_json() call ends with wp_die().
			unset( $die );
		}
		return (array) json_decode( (string) ob_get_clean(), true );
	}
}
