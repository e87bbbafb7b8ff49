<?php
/**
 * CSV export of the Jobs list.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-smi-daemon-system.php';
require_once __DIR__ . '/class-smi-jobs-query.php';

/**
 * Handles admin-post.php?action=smi_export: streams the daemon's
 * `GET /v1/jobs/export.csv` for the current filter (read by SMI_Jobs_Query,
 * as the list reads it) straight to the browser, chunk by chunk, never
 * holding the file in PHP memory.
 *
 * @since 1.0.0
 */
class SMI_Export {

	/**
	 * Relay to the browser.
	 *
	 * @since 1.0.0
	 * @var SMI_Passthrough
	 */
	private SMI_Passthrough $relay;

	/**
	 * The daemon's lists (to read the filter).
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_System
	 */
	private SMI_Daemon_System $system;

	/**
	 * Builds the export.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Passthrough        $relay  Relay to the browser.
	 * @param SMI_Daemon_System|null $system Optional. The daemon's lists (default: from the configured daemon).
	 */
	public function __construct( SMI_Passthrough $relay, ?SMI_Daemon_System $system = null ) {
		$this->relay  = $relay;
		$this->system = $system ?? new SMI_Daemon_System( SMI_Daemon_Client::from_config() );
	}

	/**
	 * Hooks the admin-post.php action.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'admin_post_smi_export', array( $this, 'handle' ) );
	}

	/**
	 * The admin-post.php entry point.
	 *
	 * @since 1.0.0
	 */
	public function handle(): void {
		$this->export( wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in export().
		exit;
	}

	/**
	 * Checks capability and nonce, then streams the CSV.
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 */
	public function export( array $req ): void {
		SMI_Job_Actions::require_capability();
		$nonce = isset( $req['_wpnonce'] ) && is_string( $req['_wpnonce'] ) ? $req['_wpnonce'] : '';
		if ( ! wp_verify_nonce( $nonce, 'smi_export' ) ) {
			wp_die( esc_html__( 'This export link has expired. Go back, reload the Jobs page and try again.', 'sell-my-images' ), '', array( 'response' => 403, 'back_link' => true ) );
		}
		$query = ( new SMI_Jobs_Query( $req, $this->system ) )->export_args();

		$result = $this->relay->relay(
			'GET',
			'/v1/jobs/export.csv',
			$query,
			array( 'Accept' => 'text/csv' ),
			array(
				'statuses' => array( 200 ),
				'headers'  => array( 'Content-Type', 'Content-Length' ),
				'extra'    => array(
					'Content-Disposition: attachment; filename="smi-jobs-' . wp_date( 'Y-m-d' ) . '.csv"',
					'X-Content-Type-Options: nosniff',
					'Cache-Control: private, no-store',
				),
			)
		);
		if ( $result['relayed'] ) {
			return;
		}
		$error = $result['error'] ?? null;
		if ( ! $error ) {
			$decoded = json_decode( (string) $result['body'], true );
			$message = is_array( $decoded ) && isset( $decoded['error']['message'] ) ? (string) $decoded['error']['message'] : '';
			$error   = new WP_Error(
				'smi_export_failed',
				'' !== $message ? $message : sprintf(
					/* translators: %d: HTTP status code. */
					__( 'The daemon answered HTTP %d.', 'sell-my-images' ),
					(int) $result['status']
				),
				array( 'status' => $result['status'] )
			);
		}
		wp_die(
			wp_kses_post( SMI_Notices::error_html( $error, __( 'The export failed.', 'sell-my-images' ) ) ),
			esc_html__( 'Export failed', 'sell-my-images' ),
			array(
				'response'  => 502,
				'back_link' => true,
			)
		);
	}
}
