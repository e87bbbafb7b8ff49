<?php
/**
 * Admin actions on jobs.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Handles every job action: the one-job forms and links (admin-post.php,
 * nonce `smi_<action>::<job_id>`) and the list's bulk actions (nonce
 * `bulk-smi_jobs`). Each checks the capability, then the nonce, calls the
 * daemon once, queues the daemon's answer as a notice and redirects
 * (Post/Redirect/Get), so a reload sends nothing again.
 *
 * @since 1.0.0
 */
class SMI_Job_Actions {

	/**
	 * One-job actions handled through admin-post.php.
	 *
	 * @since 1.0.0
	 * @var string[]
	 */
	const ACTIONS = array( 'retry', 'token', 'refund', 'status', 'email', 'reconcile' );

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the handlers.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks the admin-post.php handlers.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		foreach ( self::ACTIONS as $action ) {
			add_action( 'admin_post_smi_' . $action, array( $this, 'handle' ) );
		}
	}

	/**
	 * admin-post.php entry point: process, then redirect.
	 *
	 * @since 1.0.0
	 */
	public function handle(): void {
		$action = substr( (string) current_action(), strlen( 'admin_post_smi_' ) );
		$this->redirect( $this->process( $action, wp_unslash( $_REQUEST ) ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in process().
	}

	/**
	 * Redirects (safely) and stops.
	 *
	 * @since 1.0.0
	 *
	 * @param string $url Target.
	 */
	public function redirect( string $url ): void {
		wp_safe_redirect( $url );
		exit;
	}

	/**
	 * Refuses the request unless the user may manage jobs.
	 *
	 * @since 1.0.0
	 */
	public static function require_capability(): void {
		if ( ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			wp_die(
				esc_html__( 'Sorry, you are not allowed to manage Sell My Images jobs.', 'sell-my-images' ),
				esc_html__( 'Not allowed', 'sell-my-images' ),
				array(
					'response'  => 403,
					'back_link' => true,
				)
			);
		}
	}

	/**
	 * Runs one job action and returns where to go next.
	 *
	 * @since 1.0.0
	 *
	 * @param string $action One of self::ACTIONS.
	 * @param array  $req    Unslashed request.
	 * @return string Redirect URL.
	 */
	public function process( string $action, array $req ): string {
		self::require_capability();
		$job_id = isset( $req['job_id'] ) && is_string( $req['job_id'] ) ? strtolower( $req['job_id'] ) : '';
		if ( ! in_array( $action, self::ACTIONS, true ) || ! SMI_Format::is_uuid( $job_id ) ) {
			wp_die( esc_html__( 'This job action is not valid.', 'sell-my-images' ), '', array( 'response' => 400, 'back_link' => true ) );
		}
		$nonce = isset( $req['_wpnonce'] ) && is_string( $req['_wpnonce'] ) ? $req['_wpnonce'] : '';
		if ( ! wp_verify_nonce( $nonce, "smi_{$action}::{$job_id}" ) ) {
			wp_die(
				esc_html__( 'This link or form has expired. Go back, reload the page and try again.', 'sell-my-images' ),
				esc_html__( 'Expired', 'sell-my-images' ),
				array(
					'response'  => 403,
					'back_link' => true,
				)
			);
		}

		$back = $this->back_url( $req, $job_id );
		$path = '/v1/jobs/' . rawurlencode( $job_id );

		switch ( $action ) {
			case 'retry':
				$body   = array(
					'force'        => ! empty( $req['force'] ),
					'allow_unpaid' => ! empty( $req['allow_unpaid'] ),
				);
				$reason = $this->reason( $req, 'reason' );
				if ( '' !== $reason ) {
					$body['reason'] = $reason;
				}
				$result = $this->client->post( $path . '/retry', $body, array( 'timeout' => 30 ) );
				if ( $this->failed( $result, __( 'Retry failed.', 'sell-my-images' ) ) ) {
					break;
				}
				SMI_Notices::add(
					'success',
					esc_html(
						! empty( $result['message'] ) ? (string) $result['message'] : sprintf(
							/* translators: %d: estimated Upsampler credits. */
							__( 'Upscaling queued again (about %d credits).', 'sell-my-images' ),
							(int) ( $result['credits_estimate'] ?? 0 )
						)
					)
				);
				break;

			case 'token':
				$send   = ! empty( $req['send_email'] );
				$result = $this->client->post( $path . '/token', array( 'send_email' => $send ), array( 'timeout' => 30 ) );
				if ( $this->failed( $result, __( 'A new download link could not be created.', 'sell-my-images' ) ) ) {
					break;
				}
				$key  = self::store_one_time_link( (string) ( $result['download_url'] ?? '' ), (string) ( $result['expires_at'] ?? '' ) );
				$back = add_query_arg( 'smi_link', $key, $back );
				SMI_Notices::add(
					'success',
					! empty( $result['email_sent'] )
						? esc_html__( 'A new download link was created and emailed to the customer. The old link no longer works.', 'sell-my-images' )
						: esc_html__( 'A new download link was created. The old link no longer works.', 'sell-my-images' )
				);
				break;

			case 'refund':
				$currency = isset( $req['currency'] ) && is_string( $req['currency'] ) && preg_match( '/^[a-z]{3}$/', strtolower( $req['currency'] ) ) ? strtolower( $req['currency'] ) : 'usd';
				$reason   = $this->reason( $req, 'reason' );
				$key      = isset( $req['idempotency_key'] ) && is_string( $req['idempotency_key'] ) ? $req['idempotency_key'] : '';
				if ( '' === $reason ) {
					SMI_Notices::add( 'error', esc_html__( 'The refund was not sent: a reason is required.', 'sell-my-images' ) );
					break;
				}
				if ( ! preg_match( '/^[A-Za-z0-9-]{16,64}$/', $key ) ) {
					SMI_Notices::add( 'error', esc_html__( 'The refund was not sent: the form is incomplete. Reload the page and try again.', 'sell-my-images' ) );
					break;
				}
				$body = array( 'reason' => $reason );
				if ( isset( $req['amount'] ) && is_string( $req['amount'] ) && '' !== trim( $req['amount'] ) ) {
					$amount = SMI_Format::parse_money( $req['amount'], $currency );
					if ( is_wp_error( $amount ) ) {
						SMI_Notices::add( 'error', esc_html( __( 'The refund was not sent:', 'sell-my-images' ) . ' ' . $amount->get_error_message() ) );
						break;
					}
					if ( $amount <= 0 ) {
						SMI_Notices::add( 'error', esc_html__( 'The refund was not sent: the amount must be more than zero.', 'sell-my-images' ) );
						break;
					}
					$body['amount'] = $amount;
				}
				$result = $this->client->post(
					$path . '/refunds',
					$body,
					array(
						'timeout' => 45,
						'headers' => array( 'Idempotency-Key' => $key ),
					)
				);
				if ( $this->failed( $result, __( 'Refund failed.', 'sell-my-images' ) ) ) {
					break;
				}
				$refund_currency = (string) ( $result['refund']['currency'] ?? $currency );
				SMI_Notices::add(
					'success',
					esc_html(
						sprintf(
							/* translators: 1: refunded amount, 2: refund status, 3: amount still refundable. */
							__( 'Refund of %1$s sent to Stripe (%2$s). Still refundable: %3$s.', 'sell-my-images' ),
							SMI_Format::money( $result['refund']['amount'] ?? ( $body['amount'] ?? null ), $refund_currency ),
							(string) ( $result['refund']['status'] ?? '' ),
							SMI_Format::money( $result['remaining'] ?? null, $refund_currency )
						)
					)
				);
				break;

			case 'status':
				$status = isset( $req['status'] ) && is_string( $req['status'] ) ? sanitize_key( $req['status'] ) : '';
				$reason = $this->reason( $req, 'reason' );
				if ( ! in_array( $status, SMI_Format::STATUSES, true ) ) {
					SMI_Notices::add( 'error', esc_html__( 'The status was not changed: choose one of the offered statuses.', 'sell-my-images' ) );
					break;
				}
				if ( '' === $reason ) {
					SMI_Notices::add( 'error', esc_html__( 'The status was not changed: a reason is required.', 'sell-my-images' ) );
					break;
				}
				$result = $this->client->post(
					$path . '/status',
					array(
						'status' => $status,
						'reason' => $reason,
					)
				);
				if ( $this->failed( $result, __( 'The status could not be changed.', 'sell-my-images' ) ) ) {
					break;
				}
				SMI_Notices::add(
					'success',
					esc_html(
						sprintf(
							/* translators: 1: previous status, 2: new status. */
							__( 'Status changed from %1$s to %2$s.', 'sell-my-images' ),
							SMI_Format::status_label( (string) ( $result['from'] ?? '' ) ),
							SMI_Format::status_label( (string) ( $result['to'] ?? $status ) )
						)
					)
				);
				break;

			case 'email':
				$result = $this->client->post( $path . '/email', array(), array( 'timeout' => 30 ) );
				if ( $this->failed( $result, __( 'The email could not be sent.', 'sell-my-images' ) ) ) {
					break;
				}
				SMI_Notices::add( 'success', esc_html__( 'The download email was sent to the customer again.', 'sell-my-images' ) );
				break;

			case 'reconcile':
				$result = $this->client->post( $path . '/reconcile', array(), array( 'timeout' => 30 ) );
				if ( $this->failed( $result, __( 'Reconciling with Stripe failed.', 'sell-my-images' ) ) ) {
					break;
				}
				$changes = array_filter( array_map( 'strval', (array) ( $result['changes'] ?? array() ) ) );
				SMI_Notices::add(
					'success',
					$changes
						/* translators: %s: list of changes. */
						? esc_html( sprintf( __( 'Reconciled with Stripe: %s', 'sell-my-images' ), implode( '; ', $changes ) ) )
						: esc_html__( 'Reconciled with Stripe: nothing needed to change.', 'sell-my-images' )
				);
				break;
		}
		return $back;
	}

	/**
	 * Runs a bulk action from the list and returns where to go next.
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request (the list's GET form).
	 * @return string Redirect URL (the same filtered view).
	 */
	public function process_bulk( array $req ): string {
		self::require_capability();
		check_admin_referer( 'bulk-smi_jobs' );

		$back   = SMI_Admin_Jobs_Page::list_url( SMI_Jobs_List_Table::view_args( $req ) );
		$choice = SMI_Jobs_List_Table::bulk_action_from_request( $req );
		$params = array();
		$action = $choice;
		switch ( $choice ) {
			case 'retry_unpaid':
				$action = 'retry';
				$params = array( 'allow_unpaid' => true );
				break;
			case 'regenerate_token':
			case 'regenerate_token_email':
				$action = 'regenerate_token';
				$params = array( 'send_email' => 'regenerate_token_email' === $choice );
				break;
			case 'refund':
			case 'set_status':
				$reason = $this->reason( $req, 'smi_bulk_reason' );
				if ( '' === $reason ) {
					SMI_Notices::add( 'error', esc_html__( 'Nothing was done: refunds and status changes need a reason.', 'sell-my-images' ) );
					return $back;
				}
				$params = array( 'reason' => $reason );
				if ( 'set_status' === $choice ) {
					$status = isset( $req['smi_bulk_status'] ) && is_string( $req['smi_bulk_status'] ) ? sanitize_key( $req['smi_bulk_status'] ) : '';
					if ( ! in_array( $status, SMI_Format::STATUSES, true ) ) {
						SMI_Notices::add( 'error', esc_html__( 'Nothing was done: choose the new status.', 'sell-my-images' ) );
						return $back;
					}
					$params['status'] = $status;
				}
				break;
			case '':
				return $back;
		}

		if ( ! empty( $req['smi_apply_all'] ) ) {
			$filter = SMI_Jobs_List_Table::filters_from_request( $req );
			$result = $this->client->post(
				'/v1/jobs/batch',
				array(
					'action'      => $action,
					'filter'      => (object) $filter,
					'params'      => (object) $params,
					'confirm_all' => true,
				),
				array( 'timeout' => 30 )
			);
			if ( $this->failed( $result, __( 'The batch could not be started.', 'sell-my-images' ) ) ) {
				return $back;
			}
			SMI_Notices::add( 'success', esc_html__( 'The batch was started for every job matching the filter; its progress is shown below.', 'sell-my-images' ) );
			return add_query_arg( 'smi_batch', rawurlencode( (string) ( $result['batch_id'] ?? '' ) ), $back );
		}

		$ids = array();
		foreach ( (array) ( $req['job_ids'] ?? array() ) as $id ) {
			$id = is_string( $id ) ? strtolower( $id ) : '';
			if ( SMI_Format::is_uuid( $id ) ) {
				$ids[ $id ] = true;
			}
		}
		$ids = array_slice( array_keys( $ids ), 0, 500 );
		if ( ! $ids ) {
			SMI_Notices::add( 'warning', esc_html__( 'Select at least one job, or tick "Apply to all" to act on every job matching the filter.', 'sell-my-images' ) );
			return $back;
		}
		$result = $this->client->post(
			'/v1/jobs/batch',
			array(
				'action'  => $action,
				'job_ids' => $ids,
				'params'  => (object) $params,
			),
			array( 'timeout' => 120 )
		);
		if ( $this->failed( $result, __( 'The bulk action failed.', 'sell-my-images' ) ) ) {
			return $back;
		}
		$ok     = (int) ( $result['ok'] ?? 0 );
		$failed = (int) ( $result['failed'] ?? 0 );
		/* translators: %d: number of jobs. */
		$text = esc_html( sprintf( _n( '%d job done.', '%d jobs done.', $ok, 'sell-my-images' ), $ok ) );
		if ( $failed ) {
			/* translators: %d: number of jobs. */
			$text .= ' ' . esc_html( sprintf( _n( '%d job failed:', '%d jobs failed:', $failed, 'sell-my-images' ), $failed ) ) . '<ul class="smi-batch-errors">';
			foreach ( (array) ( $result['results'] ?? array() ) as $row ) {
				if ( is_array( $row ) && 'ok' !== ( $row['result'] ?? '' ) ) {
					$text .= sprintf(
						'<li><code>%1$s</code> %2$s</li>',
						esc_html( substr( (string) ( $row['job_id'] ?? '' ), 0, 8 ) ),
						esc_html( (string) ( $row['error']['message'] ?? '' ) )
					);
				}
			}
			$text .= '</ul>';
		}
		SMI_Notices::add( $failed ? ( $ok ? 'warning' : 'error' ) : 'success', $text );
		return $back;
	}

	/**
	 * Keeps a freshly created download link for one display.
	 *
	 * @since 1.0.0
	 *
	 * @param string $url        Download link.
	 * @param string $expires_at Expiry (RFC 3339).
	 * @return string Random key to pass in the redirect.
	 */
	public static function store_one_time_link( string $url, string $expires_at ): string {
		$key = wp_generate_password( 20, false );
		set_transient(
			'smi_link_' . get_current_user_id() . '_' . $key,
			array(
				'url'        => $url,
				'expires_at' => $expires_at,
			),
			10 * MINUTE_IN_SECONDS
		);
		return $key;
	}

	/**
	 * Takes (and forgets) a link stored by store_one_time_link for this user.
	 *
	 * @since 1.0.0
	 *
	 * @param string $key Key from the URL.
	 * @return array|null `url`, `expires_at`.
	 */
	public static function take_one_time_link( string $key ): ?array {
		if ( ! preg_match( '/^[A-Za-z0-9]{20}$/', $key ) ) {
			return null;
		}
		$name = 'smi_link_' . get_current_user_id() . '_' . $key;
		$link = get_transient( $name );
		delete_transient( $name );
		return is_array( $link ) && ! empty( $link['url'] ) ? $link : null;
	}

	/**
	 * Queues an error notice when the daemon call failed.
	 *
	 * @since 1.0.0
	 *
	 * @param array|WP_Error $result  Daemon answer.
	 * @param string         $context What failed.
	 * @return bool True when it failed.
	 */
	private function failed( $result, string $context ): bool {
		if ( is_wp_error( $result ) ) {
			SMI_Notices::add_error( $result, $context );
			return true;
		}
		return false;
	}

	/**
	 * A free-text reason from the request.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $req Request.
	 * @param string $key Field name.
	 * @return string
	 */
	private function reason( array $req, string $key ): string {
		if ( ! isset( $req[ $key ] ) || ! is_string( $req[ $key ] ) ) {
			return '';
		}
		return mb_substr( trim( sanitize_textarea_field( $req[ $key ] ) ), 0, 500 );
	}

	/**
	 * Where to go after a one-job action: the page it came from when that is
	 * one of ours, else the job's details.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $req    Request.
	 * @param string $job_id Job.
	 * @return string
	 */
	private function back_url( array $req, string $job_id ): string {
		$ref = isset( $req['_wp_http_referer'] ) && is_string( $req['_wp_http_referer'] ) ? $req['_wp_http_referer'] : '';
		$ref = (string) wp_validate_redirect( $ref, '' );
		if ( '' === $ref || ! preg_match( '#/wp-admin/admin\.php\?(?:[^\#]*&)?page=' . SMI_Admin_Jobs_Page::SLUG . '(?:&|$)#', $ref ) ) {
			return SMI_Admin_Jobs_Page::job_url( $job_id );
		}
		return remove_query_arg( array( 'smi_link', 'smi_batch' ), $ref );
	}
}
