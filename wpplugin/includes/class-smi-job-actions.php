<?php
/**
 * Admin actions on jobs.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-smi-daemon-system.php';
require_once __DIR__ . '/class-smi-jobs-query.php';

/**
 * Handles every job action: the one-job forms and links (admin-post.php,
 * nonce `smi_<action>::<job_id>`, one method per action) and the list's bulk
 * actions (nonce `bulk-smi_jobs`). Each checks the capability, then the
 * nonce, calls the daemon once, queues the daemon's answer as a notice and
 * redirects (Post/Redirect/Get), so a reload sends nothing again. Input
 * limits are the daemon's own (`/v1/system` `limits`).
 *
 * @since 1.0.0
 */
class SMI_Job_Actions {

	/**
	 * One-job actions handled through admin-post.php: form name => method.
	 *
	 * @since 1.0.0
	 * @var array<string,string>
	 */
	const ACTIONS = array(
		'retry'     => 'retry',
		'token'     => 'regenerate_token',
		'refund'    => 'refund',
		'status'    => 'set_status',
		'email'     => 'resend_email',
		'reconcile' => 'reconcile',
		'note'      => 'add_note',
	);

	/**
	 * Link lifetimes offered when a link is regenerated, in hours.
	 *
	 * @since 1.1.0
	 * @var int[]
	 */
	const EXPIRY_HOURS = array( 24, 72, 168, 720 );

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * The daemon's lists and limits.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_System
	 */
	private SMI_Daemon_System $system;

	/**
	 * Builds the handlers.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client      $client Daemon client.
	 * @param SMI_Daemon_System|null $system Optional. The daemon's lists and limits.
	 */
	public function __construct( SMI_Daemon_Client $client, ?SMI_Daemon_System $system = null ) {
		$this->client = $client;
		$this->system = $system ?? new SMI_Daemon_System( $client );
	}

	/**
	 * The daemon's lists and limits, shared with the screens.
	 *
	 * @since 1.1.0
	 *
	 * @return SMI_Daemon_System
	 */
	public function system(): SMI_Daemon_System {
		return $this->system;
	}

	/**
	 * Hooks the admin-post.php handlers.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		foreach ( array_keys( self::ACTIONS ) as $action ) {
			add_action( 'admin_post_smi_' . $action, array( $this, 'handle' ) );
		}
	}

	/**
	 * The admin-post.php entry point: process, then redirect.
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
	 * Checks capability, job ID and the per-job nonce, then runs the
	 * action's method and returns where to go next.
	 *
	 * @since 1.0.0
	 *
	 * @param string $action A key of self::ACTIONS.
	 * @param array  $req    Unslashed request.
	 * @return string Redirect URL.
	 */
	public function process( string $action, array $req ): string {
		self::require_capability();
		$job_id = isset( $req['job_id'] ) && is_string( $req['job_id'] ) ? strtolower( $req['job_id'] ) : '';
		if ( ! isset( self::ACTIONS[ $action ] ) || ! SMI_Format::is_uuid( $job_id ) ) {
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
		$method = self::ACTIONS[ $action ];
		return $this->$method( '/v1/jobs/' . rawurlencode( $job_id ), $req, $this->back_url( $req, $job_id ) );
	}

	/**
	 * Retry: queues the upscale again (`POST …/retry`).
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function retry( string $path, array $req, string $back ): string {
		$reason = $this->text( $req, 'reason' );
		if ( $this->refuse_long( $reason, 'reason_max', __( 'Nothing was retried:', 'sell-my-images' ) ) ) {
			return $back;
		}
		$body = array(
			'force'        => ! empty( $req['force'] ),
			'allow_unpaid' => ! empty( $req['allow_unpaid'] ),
		);
		if ( '' !== $reason ) {
			$body['reason'] = $reason;
		}
		$result = $this->client->post( $path . '/retry', $body, array( 'timeout' => 30 ) );
		if ( $this->failed( $result, __( 'Retry failed.', 'sell-my-images' ) ) ) {
			return $back;
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
		return $back;
	}

	/**
	 * Regenerate: a new download link with the chosen lifetime, emailed or
	 * not (`POST …/token`); the link is shown once on the next page.
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function regenerate_token( string $path, array $req, string $back ): string {
		$body  = array( 'send_email' => ! empty( $req['send_email'] ) );
		$hours = isset( $req['expires_in_hours'] ) && is_scalar( $req['expires_in_hours'] ) ? absint( $req['expires_in_hours'] ) : 0;
		if ( in_array( $hours, self::EXPIRY_HOURS, true ) ) {
			$body['expires_in_hours'] = $hours;
		}
		$result = $this->client->post( $path . '/token', $body, array( 'timeout' => 30 ) );
		if ( $this->failed( $result, __( 'A new download link could not be created.', 'sell-my-images' ) ) ) {
			return $back;
		}
		$key = self::store_one_time_link( (string) ( $result['download_url'] ?? '' ), (string) ( $result['expires_at'] ?? '' ) );
		SMI_Notices::add(
			'success',
			! empty( $result['email_sent'] )
				? esc_html__( 'A new download link was created and emailed to the customer. The old link no longer works.', 'sell-my-images' )
				: esc_html__( 'A new download link was created. The old link no longer works.', 'sell-my-images' )
		);
		return add_query_arg( 'smi_link', $key, $back );
	}

	/**
	 * Refund: an amount (or the rest) with a reason and the form's
	 * idempotency key (`POST …/refunds`).
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function refund( string $path, array $req, string $back ): string {
		$currency = isset( $req['currency'] ) && is_string( $req['currency'] ) && preg_match( '/^[a-z]{3}$/', strtolower( $req['currency'] ) ) ? strtolower( $req['currency'] ) : 'usd';
		$reason   = $this->text( $req, 'reason' );
		$key      = isset( $req['idempotency_key'] ) && is_string( $req['idempotency_key'] ) ? $req['idempotency_key'] : '';
		if ( '' === $reason ) {
			SMI_Notices::add( 'error', esc_html__( 'The refund was not sent: a reason is required.', 'sell-my-images' ) );
			return $back;
		}
		if ( $this->refuse_long( $reason, 'reason_max', __( 'The refund was not sent:', 'sell-my-images' ) ) ) {
			return $back;
		}
		if ( ! preg_match( '/^[!-~]+$/', $key ) || $this->system->too_long( $key, 'idempotency_key_max' ) ) {
			SMI_Notices::add( 'error', esc_html__( 'The refund was not sent: the form is incomplete. Reload the page and try again.', 'sell-my-images' ) );
			return $back;
		}
		$body = array( 'reason' => $reason );
		if ( isset( $req['amount'] ) && is_string( $req['amount'] ) && '' !== trim( $req['amount'] ) ) {
			$amount = SMI_Format::parse_money( $req['amount'], $currency );
			if ( is_wp_error( $amount ) ) {
				SMI_Notices::add( 'error', esc_html( __( 'The refund was not sent:', 'sell-my-images' ) . ' ' . $amount->get_error_message() ) );
				return $back;
			}
			if ( $amount <= 0 ) {
				SMI_Notices::add( 'error', esc_html__( 'The refund was not sent: the amount must be more than zero.', 'sell-my-images' ) );
				return $back;
			}
			$body['amount'] = $amount;
		}
		// The form's "Notify the customer" box is ticked by default; an
		// unticked box is simply absent from the request.
		$body['notify_customer'] = ! empty( $req['notify_customer'] );

		$result = $this->client->post(
			$path . '/refunds',
			$body,
			array(
				'timeout' => 45,
				'headers' => array( 'Idempotency-Key' => $key ),
			)
		);
		if ( $this->failed( $result, __( 'Refund failed.', 'sell-my-images' ) ) ) {
			return $back;
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
		return $back;
	}

	/**
	 * Set status: the edge-case override, to a status the daemon lists
	 * (`POST …/status`); the daemon refuses moves it does not allow.
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function set_status( string $path, array $req, string $back ): string {
		$status = isset( $req['status'] ) && is_string( $req['status'] ) ? sanitize_key( $req['status'] ) : '';
		$reason = $this->text( $req, 'reason' );
		if ( ! in_array( $status, $this->system->statuses(), true ) ) {
			SMI_Notices::add( 'error', esc_html__( 'The status was not changed: choose one of the offered statuses.', 'sell-my-images' ) );
			return $back;
		}
		if ( '' === $reason ) {
			SMI_Notices::add( 'error', esc_html__( 'The status was not changed: a reason is required.', 'sell-my-images' ) );
			return $back;
		}
		if ( $this->refuse_long( $reason, 'reason_max', __( 'The status was not changed:', 'sell-my-images' ) ) ) {
			return $back;
		}
		$result = $this->client->post(
			$path . '/status',
			array(
				'status' => $status,
				'reason' => $reason,
			)
		);
		if ( $this->failed( $result, __( 'The status could not be changed.', 'sell-my-images' ) ) ) {
			return $back;
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
		return $back;
	}

	/**
	 * Resend: the delivery email again (`POST …/email`).
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function resend_email( string $path, array $req, string $back ): string {
		unset( $req );
		$result = $this->client->post( $path . '/email', array(), array( 'timeout' => 30 ) );
		if ( ! $this->failed( $result, __( 'The email could not be sent.', 'sell-my-images' ) ) ) {
			SMI_Notices::add( 'success', esc_html__( 'The download email was sent to the customer again.', 'sell-my-images' ) );
		}
		return $back;
	}

	/**
	 * Reconcile: repairs payment and refund state from Stripe
	 * (`POST …/reconcile`).
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function reconcile( string $path, array $req, string $back ): string {
		unset( $req );
		$result = $this->client->post( $path . '/reconcile', array(), array( 'timeout' => 30 ) );
		if ( $this->failed( $result, __( 'Reconciling with Stripe failed.', 'sell-my-images' ) ) ) {
			return $back;
		}
		$changes = array_filter( array_map( 'strval', (array) ( $result['changes'] ?? array() ) ) );
		SMI_Notices::add(
			'success',
			$changes
				/* translators: %s: list of changes. */
				? esc_html( sprintf( __( 'Reconciled with Stripe: %s', 'sell-my-images' ), implode( '; ', $changes ) ) )
				: esc_html__( 'Reconciled with Stripe: nothing needed to change.', 'sell-my-images' )
		);
		return $back;
	}

	/**
	 * Note: a private admin note on the job's timeline (`POST …/notes`).
	 *
	 * @since 1.1.0
	 *
	 * @param string $path Job path.
	 * @param array  $req  Request.
	 * @param string $back Where to go next.
	 * @return string
	 */
	private function add_note( string $path, array $req, string $back ): string {
		$note = $this->text( $req, 'note' );
		if ( '' === $note ) {
			SMI_Notices::add( 'error', esc_html__( 'The note was not saved: it is empty.', 'sell-my-images' ) );
			return $back;
		}
		if ( $this->refuse_long( $note, 'note_max', __( 'The note was not saved:', 'sell-my-images' ) ) ) {
			return $back;
		}
		$result = $this->client->post( $path . '/notes', array( 'note' => $note ) );
		if ( ! $this->failed( $result, __( 'The note could not be saved.', 'sell-my-images' ) ) ) {
			SMI_Notices::add( 'success', esc_html__( 'Note added to the timeline.', 'sell-my-images' ) );
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

		$query  = new SMI_Jobs_Query( $req, $this->system );
		$back   = SMI_Admin_Jobs_Page::list_url( $query->page_args() );
		$choice = $query->bulk_action;
		$params = array();
		$action = $choice;
		switch ( $choice ) {
			case '':
				return $back;
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
				$params = $this->bulk_reason_params( $choice, $req );
				if ( null === $params ) {
					return $back;
				}
				break;
		}

		if ( ! empty( $req['smi_apply_all'] ) ) {
			$result = $this->client->post(
				'/v1/jobs/batch',
				array(
					'action'      => $action,
					'filter'      => (object) $query->daemon_filter(),
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
		$ids = array_keys( $ids );
		if ( ! $ids ) {
			SMI_Notices::add( 'warning', esc_html__( 'Select at least one job, or tick "Apply to all" to act on every job matching the filter.', 'sell-my-images' ) );
			return $back;
		}
		$max = $this->system->limit( 'batch_max' );
		if ( null !== $max && count( $ids ) > $max ) {
			/* translators: %d: most jobs one bulk action takes. */
			SMI_Notices::add( 'error', esc_html( sprintf( __( 'Nothing was done: select at most %d jobs, or tick "Apply to all".', 'sell-my-images' ), $max ) ) );
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
		if ( ! $this->failed( $result, __( 'The bulk action failed.', 'sell-my-images' ) ) ) {
			$this->report_batch( $result );
		}
		return $back;
	}

	/**
	 * The reason (and, for set_status, the status) a bulk refund or status
	 * change needs; null after queueing an error when one is missing.
	 *
	 * @since 1.1.0
	 *
	 * @param string $choice refund|set_status.
	 * @param array  $req    Request.
	 * @return array|null
	 */
	private function bulk_reason_params( string $choice, array $req ): ?array {
		$reason = $this->text( $req, 'smi_bulk_reason' );
		if ( '' === $reason ) {
			SMI_Notices::add( 'error', esc_html__( 'Nothing was done: refunds and status changes need a reason.', 'sell-my-images' ) );
			return null;
		}
		if ( $this->refuse_long( $reason, 'reason_max', __( 'Nothing was done:', 'sell-my-images' ) ) ) {
			return null;
		}
		$params = array( 'reason' => $reason );
		if ( 'set_status' === $choice ) {
			$status = isset( $req['smi_bulk_status'] ) && is_string( $req['smi_bulk_status'] ) ? sanitize_key( $req['smi_bulk_status'] ) : '';
			if ( ! in_array( $status, $this->system->statuses(), true ) ) {
				SMI_Notices::add( 'error', esc_html__( 'Nothing was done: choose the new status.', 'sell-my-images' ) );
				return null;
			}
			$params['status'] = $status;
		}
		return $params;
	}

	/**
	 * Queues the notice of a finished batch: how many went through, and why
	 * each of the others did not.
	 *
	 * @since 1.1.0
	 *
	 * @param array $result `POST /v1/jobs/batch` answer.
	 */
	private function report_batch( array $result ): void {
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
	 * A free text from the request (a reason, a note), trimmed.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $req Request.
	 * @param string $key Field name.
	 * @return string
	 */
	private function text( array $req, string $key ): string {
		if ( ! isset( $req[ $key ] ) || ! is_string( $req[ $key ] ) ) {
			return '';
		}
		return trim( sanitize_textarea_field( $req[ $key ] ) );
	}

	/**
	 * Queues an error when a text is longer than the daemon accepts.
	 *
	 * @since 1.1.0
	 *
	 * @param string $text    Text.
	 * @param string $limit   Limit name (reason_max, note_max).
	 * @param string $context What was not done, e.g. "The refund was not sent:".
	 * @return bool True when refused.
	 */
	private function refuse_long( string $text, string $limit, string $context ): bool {
		if ( ! $this->system->too_long( $text, $limit ) ) {
			return false;
		}
		SMI_Notices::add(
			'error',
			esc_html(
				$context . ' ' . sprintf(
					/* translators: %d: most characters allowed. */
					__( 'the text is longer than %d characters.', 'sell-my-images' ),
					(int) $this->system->limit( $limit )
				)
			)
		);
		return true;
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
