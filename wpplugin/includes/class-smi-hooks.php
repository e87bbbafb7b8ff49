<?php
/**
 * WordPress actions forwarded to the daemon.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Forwards `do_action( 'smi_payment_completed', $job_id, $context )` to the
 * daemon's `POST /v1/hooks/payment-completed`. Anything can fire it, e.g.
 * `array( 'admin_override' => true )` to retry a job; a failure is logged and
 * never breaks the request that fired it.
 *
 * @since 1.0.0
 */
class SMI_Hooks {

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the hooks.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks the actions.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'smi_payment_completed', array( $this, 'payment_completed' ), 10, 2 );
	}

	/**
	 * Forwards a completed payment (or an admin override) to the daemon.
	 *
	 * @since 1.0.0
	 *
	 * @param mixed $job_id  Job UUID.
	 * @param mixed $context Optional. `admin_override` (bool).
	 * @return array|WP_Error The daemon's answer (actions ignore it; callers of this method may not).
	 */
	public function payment_completed( $job_id, $context = array() ) {
		$job_id = is_string( $job_id ) ? strtolower( trim( $job_id ) ) : '';
		if ( ! SMI_Format::is_uuid( $job_id ) ) {
			$error = new WP_Error( 'smi_invalid_job_id', 'smi_payment_completed needs a job UUID.' );
			error_log( 'Sell My Images: smi_payment_completed ignored: not a job UUID.' ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			return $error;
		}
		$context  = is_array( $context ) ? $context : array();
		$override = ! empty( $context['admin_override'] );
		if ( $override && ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			// An admin_override gives work away (an unpaid or refunded job is
			// upscaled for free): only someone who may manage jobs asks for
			// it, never a visitor's request that some integration fires
			// the hook from. WP-CLI: pass --user.
			error_log( sprintf( 'Sell My Images: smi_payment_completed for job %s: admin_override ignored, the current user may not manage jobs.', $job_id ) ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			$override = false;
		}
		$result = $this->client->post(
			'/v1/hooks/payment-completed',
			array(
				'job_id'  => $job_id,
				'context' => array( 'admin_override' => $override ),
			),
			array( 'timeout' => 15 )
		);
		if ( is_wp_error( $result ) ) {
			error_log( sprintf( 'Sell My Images: smi_payment_completed for job %s not forwarded: %s', $job_id, $result->get_error_message() ) ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		}
		return $result;
	}
}
