<?php
/**
 * The admin-ajax.php endpoints of the Jobs screen.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-smi-jobs-summary.php';

/**
 * What the Jobs screen's script asks: the current state of the rows on the
 * page (one daemon call for all of them), the progress of a daemon batch,
 * and its cancellation. Each endpoint checks its nonce and the capability.
 *
 * @since 1.0.0
 */
class SMI_Admin_Ajax {

	/**
	 * Nonce action of both endpoints.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	const NONCE = 'smi_jobs_ajax';

	/**
	 * At most this many jobs per poll (the daemon's `ids` limit).
	 *
	 * @since 1.0.0
	 * @var int
	 */
	const MAX_JOBS = 100;

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the endpoints.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks the endpoints (logged-in users only).
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'wp_ajax_smi_job_statuses', array( $this, 'job_statuses' ) );
		add_action( 'wp_ajax_smi_batch_status', array( $this, 'batch_status' ) );
		add_action( 'wp_ajax_smi_batch_cancel', array( $this, 'batch_cancel' ) );
		add_action( 'wp_ajax_smi_job_summary', array( $this, 'job_summary' ) );
	}

	/**
	 * Refuses the request unless nonce and capability are right.
	 *
	 * @since 1.0.0
	 */
	private function guard(): void {
		if ( ! check_ajax_referer( self::NONCE, 'nonce', false ) ) {
			wp_send_json_error( array( 'message' => __( 'Your session expired; reload the page.', 'sell-my-images' ) ), 403 );
		}
		if ( ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			wp_send_json_error( array( 'message' => __( 'Sorry, you are not allowed to manage Sell My Images jobs.', 'sell-my-images' ) ), 403 );
		}
	}

	/**
	 * Current state of the given jobs (`job_ids[]`), from one
	 * `GET /v1/jobs?ids=…`.
	 *
	 * @since 1.0.0
	 */
	public function job_statuses(): void {
		$this->guard();
		$ids = array();
		foreach ( (array) wp_unslash( $_POST['job_ids'] ?? array() ) as $id ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated as UUIDs.
			if ( SMI_Format::is_uuid( $id ) ) {
				$ids[ $id ] = true;
			}
		}
		$ids  = array_slice( array_keys( $ids ), 0, self::MAX_JOBS );
		$jobs = array();
		if ( $ids ) {
			$answer = $this->client->get(
				'/v1/jobs',
				array(
					'ids'      => implode( ',', $ids ),
					'per_page' => count( $ids ),
				),
				array( 'timeout' => 5 )
			);
			if ( is_wp_error( $answer ) ) {
				wp_send_json_error( array( 'message' => $answer->get_error_message() ), 'smi_daemon_unreachable' === $answer->get_error_code() ? 503 : 502 );
			}
			foreach ( (array) ( $answer['jobs'] ?? array() ) as $job ) {
				if ( ! is_array( $job ) || ! in_array( $job['job_id'] ?? '', $ids, true ) ) {
					continue;
				}
				$jobs[ (string) $job['job_id'] ] = array(
					'status'         => (string) ( $job['status'] ?? '' ),
					'payment_status' => (string) ( $job['payment_status'] ?? '' ),
					'status_html'    => SMI_Format::status_cell( $job ),
					'payment_html'   => SMI_Format::payment_badge( (string) ( $job['payment_status'] ?? '' ) ),
					'state'          => SMI_Format::state_key( $job ),
				);
			}
		}
		wp_send_json_success( array( 'jobs' => (object) $jobs ) );
	}

	/**
	 * The money strip's figures for a filter (`filter[<key>]`, the keys the
	 * page printed in the strip's `data-filter`), from one `GET /v1/stats`;
	 * the daemon validates every value.
	 *
	 * @since 1.2.0
	 */
	public function job_summary(): void {
		$this->guard();
		$filter = array();
		foreach ( (array) wp_unslash( $_POST['filter'] ?? array() ) as $key => $value ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- keys checked against a list, values sanitized here and validated by the daemon.
			if ( in_array( $key, SMI_Jobs_Summary::FILTER_KEYS, true ) && is_scalar( $value ) ) {
				$filter[ $key ] = sanitize_text_field( (string) $value );
			}
		}
		$summary = new SMI_Jobs_Summary( $filter );
		if ( ! $summary->load( $this->client ) ) {
			wp_send_json_error( array( 'message' => $summary->error->get_error_message() ), 'smi_daemon_unreachable' === $summary->error->get_error_code() ? 503 : 502 );
		}
		wp_send_json_success( array( 'figures' => $summary->figures() ) );
	}

	/**
	 * Progress of a daemon batch (`batch_id`), from `/v1/batches/{id}`.
	 *
	 * @since 1.0.0
	 */
	public function batch_status(): void {
		$this->guard();
		$id = isset( $_POST['batch_id'] ) ? sanitize_text_field( wp_unslash( $_POST['batch_id'] ) ) : '';
		if ( ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $id ) ) {
			wp_send_json_error( array( 'message' => __( 'Unknown batch.', 'sell-my-images' ) ), 400 );
		}
		$batch = $this->client->get( '/v1/batches/' . rawurlencode( $id ), array(), array( 'timeout' => 5 ) );
		if ( is_wp_error( $batch ) ) {
			wp_send_json_error( array( 'message' => $batch->get_error_message() ), (int) ( $batch->get_error_data()['status'] ?? 502 ) );
		}
		$errors = array();
		foreach ( array_slice( (array) ( $batch['errors'] ?? array() ), 0, 20 ) as $error ) {
			if ( is_array( $error ) ) {
				$errors[] = array(
					'job_id'  => (string) ( $error['job_id'] ?? '' ),
					'message' => (string) ( $error['message'] ?? '' ),
				);
			}
		}
		wp_send_json_success(
			array(
				'state'  => (string) ( $batch['state'] ?? '' ),
				'total'  => (int) ( $batch['total'] ?? 0 ),
				'done'   => (int) ( $batch['done'] ?? 0 ),
				'failed' => (int) ( $batch['failed'] ?? 0 ),
				'errors' => $errors,
			)
		);
	}

	/**
	 * Stops a running daemon batch (`batch_id`), `POST /v1/batches/{id}/cancel`.
	 *
	 * @since 1.1.0
	 */
	public function batch_cancel(): void {
		$this->guard();
		$id = isset( $_POST['batch_id'] ) ? sanitize_text_field( wp_unslash( $_POST['batch_id'] ) ) : '';
		if ( ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $id ) ) {
			wp_send_json_error( array( 'message' => __( 'Unknown batch.', 'sell-my-images' ) ), 400 );
		}
		$result = $this->client->post( '/v1/batches/' . rawurlencode( $id ) . '/cancel', array(), array( 'timeout' => 10 ) );
		if ( is_wp_error( $result ) ) {
			wp_send_json_error( array( 'message' => $result->get_error_message() ), (int) ( $result->get_error_data()['status'] ?? 502 ) );
		}
		wp_send_json_success( array( 'state' => (string) ( $result['state'] ?? 'cancelled' ) ) );
	}
}
