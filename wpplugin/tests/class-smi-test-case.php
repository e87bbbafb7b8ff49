<?php
/**
 * Base class of the plugin's tests.
 *
 * @package SellMyImages
 */

use PHPUnit\Framework\TestCase;

/**
 * Thrown by the test wp_die handler so a test can see the refusal.
 */
class SMI_Test_Die extends Exception {

	/**
	 * HTTP status wp_die was asked for.
	 *
	 * @var int
	 */
	public int $status;

	/**
	 * Builds the exception.
	 *
	 * @param string $message Message.
	 * @param int    $status  HTTP status.
	 */
	public function __construct( string $message, int $status ) {
		parent::__construct( $message );
		$this->status = $status;
	}
}

/**
 * Each test runs in a rolled-back transaction, with HTTP to the daemon
 * intercepted through `pre_http_request` and wp_die turned into SMI_Test_Die.
 */
abstract class SMI_Test_Case extends TestCase {

	/**
	 * Requests sent through wp_remote_*: each `url`, `args`.
	 *
	 * @var array[]
	 */
	protected array $requests = array();

	/**
	 * Answers intercepted requests: fn( string $url, array $args ): array|WP_Error.
	 *
	 * @var callable
	 */
	protected $responder;

	/**
	 * When true, requests go out for real (not intercepted).
	 *
	 * @var bool
	 */
	protected bool $real_http = false;

	/**
	 * Saved superglobals.
	 *
	 * @var array
	 */
	private array $saved = array();

	/**
	 * Starts the transaction and the interceptors.
	 */
	protected function setUp(): void {
		global $wpdb;
		parent::setUp();
		$this->saved = array( $_GET, $_POST, $_REQUEST, $_SERVER );
		$_GET        = array();
		$_POST       = array();
		$_REQUEST    = array();
		$wpdb->query( 'SET autocommit = 0' );
		$wpdb->query( 'START TRANSACTION' );
		wp_cache_flush();
		$this->requests  = array();
		$this->real_http = false;
		$this->responder = function () {
			return $this->json( 200, array() );
		};
		add_filter( 'pre_http_request', array( $this, 'intercept' ), 10, 3 );
		add_filter( 'wp_die_handler', array( $this, 'die_handler_name' ) );
		add_filter( 'wp_die_ajax_handler', array( $this, 'die_handler_name' ) );
		add_filter( 'wp_die_json_handler', array( $this, 'die_handler_name' ) );
		wp_set_current_user( 0 );
	}

	/**
	 * Rolls everything back.
	 */
	protected function tearDown(): void {
		global $wpdb;
		$wpdb->query( 'ROLLBACK' );
		$wpdb->query( 'SET autocommit = 1' );
		wp_cache_flush();
		remove_filter( 'pre_http_request', array( $this, 'intercept' ), 10 );
		remove_filter( 'wp_die_handler', array( $this, 'die_handler_name' ) );
		remove_filter( 'wp_die_ajax_handler', array( $this, 'die_handler_name' ) );
		remove_filter( 'wp_die_json_handler', array( $this, 'die_handler_name' ) );
		remove_all_filters( 'wp_doing_ajax' );
		remove_all_filters( 'smi_jobs_capability' );
		remove_all_filters( 'smi_webhook_max_bytes' );
		remove_all_filters( 'smi_checkout_rate_limit' );
		wp_set_current_user( 0 );
		list( $_GET, $_POST, $_REQUEST, $_SERVER ) = $this->saved;
		parent::tearDown();
	}

	/**
	 * `pre_http_request` filter: records and answers.
	 *
	 * @param mixed  $pre  Short-circuit value.
	 * @param array  $args Request args.
	 * @param string $url  URL.
	 * @return mixed
	 */
	public function intercept( $pre, $args, $url ) {
		if ( $this->real_http ) {
			return $pre;
		}
		$this->requests[] = array(
			'url'  => $url,
			'args' => $args,
		);
		return call_user_func( $this->responder, $url, $args );
	}

	/**
	 * Name of the test wp_die handler.
	 *
	 * @return callable
	 */
	public function die_handler_name() {
		return array( $this, 'die_handler' );
	}

	/**
	 * Test wp_die handler: throws.
	 *
	 * @param mixed     $message Message.
	 * @param mixed     $title   Title.
	 * @param array|int $args    Args.
	 * @throws SMI_Test_Die Always.
	 */
	public function die_handler( $message, $title = '', $args = array() ) {
		$status = 500;
		if ( is_int( $args ) ) {
			$status = $args;
		} elseif ( is_array( $args ) && isset( $args['response'] ) ) {
			$status = (int) $args['response'];
		} elseif ( is_int( $title ) ) {
			$status = $title;
		}
		throw new SMI_Test_Die( is_wp_error( $message ) ? $message->get_error_message() : (string) $message, $status );
	}

	/**
	 * A wp_remote_* response with a JSON body.
	 *
	 * @param int   $status HTTP status.
	 * @param mixed $data   Body data.
	 * @return array
	 */
	protected function json( int $status, $data ): array {
		return $this->raw( $status, (string) wp_json_encode( $data ), array( 'content-type' => 'application/json' ) );
	}

	/**
	 * A wp_remote_* response.
	 *
	 * @param int    $status  HTTP status.
	 * @param string $body    Body.
	 * @param array  $headers Headers.
	 * @return array
	 */
	protected function raw( int $status, string $body, array $headers = array() ): array {
		return array(
			'headers'  => $headers,
			'body'     => $body,
			'response' => array(
				'code'    => $status,
				'message' => '',
			),
			'cookies'  => array(),
			'filename' => null,
		);
	}

	/**
	 * Sets the responder.
	 *
	 * @param callable $responder fn( $url, $args ).
	 */
	protected function respond( callable $responder ): void {
		$this->responder = $responder;
	}

	/**
	 * The last intercepted request.
	 *
	 * @return array `url`, `args`.
	 */
	protected function last_request(): array {
		$this->assertNotEmpty( $this->requests, 'no request reached the daemon' );
		return end( $this->requests );
	}

	/**
	 * Decoded JSON body of a recorded request.
	 *
	 * @param array $request Recorded request.
	 * @return mixed
	 */
	protected function body_of( array $request ) {
		return json_decode( (string) ( $request['args']['body'] ?? '' ), true );
	}

	/**
	 * A client to the (intercepted) daemon.
	 *
	 * @param string $url Daemon URL.
	 * @return SMI_Daemon_Client
	 */
	protected function client( string $url = 'http://127.0.0.1:8787' ): SMI_Daemon_Client {
		return new SMI_Daemon_Client( $url, 'test-secret' );
	}

	/**
	 * A client to the running fake daemon (real HTTP).
	 *
	 * @return SMI_Daemon_Client
	 */
	protected function fake_daemon_client(): SMI_Daemon_Client {
		$this->real_http = true;
		return new SMI_Daemon_Client( (string) getenv( 'SMI_FAKE_DAEMON_URL' ), 'test-secret' );
	}

	/**
	 * Creates a user and logs in as them.
	 *
	 * @param string $role Role.
	 * @return WP_User
	 */
	protected function login( string $role ): WP_User {
		$login = $role . '_' . strtolower( wp_generate_password( 8, false ) );
		$id    = wp_insert_user(
			array(
				'user_login' => $login,
				'user_pass'  => wp_generate_password(),
				'user_email' => $login . '@example.com',
				'role'       => $role,
			)
		);
		$this->assertIsInt( $id );
		wp_set_current_user( $id );
		return wp_get_current_user();
	}

	/**
	 * Creates a post.
	 *
	 * @param string $status Post status.
	 * @return int
	 */
	protected function make_post( string $status = 'publish' ): int {
		return (int) wp_insert_post(
			array(
				'post_title'   => 'Sunset ' . wp_generate_password( 4, false ),
				'post_status'  => $status,
				'post_type'    => 'post',
				'post_content' => 'A photo.',
			)
		);
	}

	/**
	 * Creates an attachment (no real file needed) with metadata.
	 *
	 * @param int    $parent Parent post.
	 * @param string $mime   MIME type.
	 * @param string $name   File name.
	 * @return int
	 */
	protected function make_attachment( int $parent, string $mime = 'image/jpeg', string $name = 'photo.jpg' ): int {
		$uploads = wp_upload_dir();
		$file    = $uploads['basedir'] . '/2026/12/' . $name;
		$id      = (int) wp_insert_attachment(
			array(
				'post_mime_type' => $mime,
				'post_title'     => $name,
				'post_status'    => 'inherit',
			),
			$file,
			$parent
		);
		if ( 0 === strpos( $mime, 'image/' ) ) {
			wp_update_attachment_metadata(
				$id,
				array(
					'width'  => 4000,
					'height' => 3000,
					'file'   => '2026/12/' . $name,
					'sizes'  => array(),
				)
			);
		}
		return $id;
	}

	/**
	 * A job as the daemon lists it.
	 *
	 * @param array $overrides Fields.
	 * @return array
	 */
	protected function job( array $overrides = array() ): array {
		return array_merge(
			array(
				'job_id'                     => wp_generate_uuid4(),
				'image_url'                  => 'http://127.0.0.1/wp-content/uploads/photo.jpg',
				'resolution'                 => '4x',
				'email'                      => 'buyer@example.com',
				'post_id'                    => 0,
				'attachment_id'              => 0,
				'image_width'                => 1000,
				'image_height'               => 800,
				'status'                     => 'completed',
				'payment_status'             => 'paid',
				'currency'                   => 'usd',
				'amount_charged'             => 1299,
				'amount_cost'                => 40,
				'refund_amount'              => 0,
				'credits_used'               => 4,
				'token_state'                => 'active',
				'stripe_payment_intent_id'   => 'pi_1',
				'stripe_checkout_session_id' => 'cs_1',
				'created_at'                 => '2026-12-01T10:00:00Z',
			),
			$overrides
		);
	}
}
