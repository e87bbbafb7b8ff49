<?php
/**
 * One job's details screen.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Prints `admin.php?page=smi-jobs&job=<uuid>` from `GET /v1/jobs/{id}`:
 * payment, processing, download, refunds, the event timeline, and the
 * forms of the manual interventions.
 *
 * @since 1.0.0
 */
class SMI_Job_Details {

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the screen.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Stripe dashboard URL of a payment intent, in the daemon's Stripe mode.
	 *
	 * @since 1.0.0
	 *
	 * @param string $payment_intent Payment intent ID (pi_…).
	 * @param string $mode           test|live.
	 * @return string
	 */
	public static function stripe_payment_url( string $payment_intent, string $mode ): string {
		return 'https://dashboard.stripe.com/' . ( 'live' === $mode ? '' : 'test/' ) . 'payments/' . rawurlencode( $payment_intent );
	}

	/**
	 * Prints the screen.
	 *
	 * @since 1.0.0
	 *
	 * @param string $job_id Job ID from the URL.
	 */
	public function render( string $job_id ): void {
		echo '<div class="wrap smi-wrap" id="smi-job-details">';
		printf( '<p><a href="%1$s" id="smi-back-to-list">&larr; %2$s</a></p>', esc_url( SMI_Admin_Jobs_Page::list_url() ), esc_html__( 'All jobs', 'sell-my-images' ) );

		if ( ! SMI_Format::is_uuid( $job_id ) ) {
			echo '<h1>' . esc_html__( 'Job', 'sell-my-images' ) . '</h1><hr class="wp-header-end" />';
			SMI_Notices::render( 'error', esc_html__( 'That is not a valid job ID. Job IDs look like 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc.', 'sell-my-images' ), 'smi-invalid-job' );
			echo '</div>';
			return;
		}

		$data = $this->client->get( '/v1/jobs/' . rawurlencode( $job_id ) );
		/* translators: %s: first 8 characters of the job ID. */
		echo '<h1>' . esc_html( sprintf( __( 'Job %s', 'sell-my-images' ), substr( $job_id, 0, 8 ) ) ) . '</h1><hr class="wp-header-end" />';
		SMI_Notices::render_queued();
		SMI_Admin_Jobs_Page::render_one_time_link( wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- key checked against the user's transient.

		if ( is_wp_error( $data ) ) {
			$status = (int) ( $data->get_error_data()['status'] ?? 0 );
			$text   = 404 === $status
				? esc_html__( 'No job with this ID exists.', 'sell-my-images' )
				: SMI_Notices::error_html( $data, __( 'The job could not be loaded.', 'sell-my-images' ) );
			SMI_Notices::render( 'error', $text, 'smi-daemon-error' );
			echo '</div>';
			return;
		}

		$job    = (array) ( $data['job'] ?? array() );
		$system = $this->client->get( '/v1/system', array(), array( 'timeout' => 5 ) );
		$mode   = is_array( $system ) && isset( $system['stripe_mode'] ) ? (string) $system['stripe_mode'] : 'test';

		$this->render_summary( $job );
		echo '<div class="smi-columns">';
		echo '<div class="smi-column">';
		$this->render_payment( $job, (array) ( $data['refunds'] ?? array() ), $mode );
		$this->render_processing( $job, (array) ( $data['durations'] ?? array() ) );
		$this->render_download( $job, (array) ( $data['download'] ?? array() ) );
		$this->render_refunds( (array) ( $data['refunds'] ?? array() ), (string) ( $job['currency'] ?? 'usd' ) );
		echo '</div><div class="smi-column">';
		$this->render_forms( $job, $data );
		echo '</div></div>';
		$this->render_events( (array) ( $data['events'] ?? array() ) );
		echo '</div>';
	}

	/**
	 * Prints a definition list of label => already-escaped HTML.
	 *
	 * @since 1.0.0
	 *
	 * @param string $id    Element id.
	 * @param string $title Heading.
	 * @param array  $rows  Label => escaped HTML.
	 */
	private function section( string $id, string $title, array $rows ): void {
		printf( '<div class="smi-card" id="%1$s"><h2>%2$s</h2><table class="widefat striped smi-facts"><tbody>', esc_attr( $id ), esc_html( $title ) );
		foreach ( $rows as $label => $html ) {
			printf( '<tr><th scope="row">%1$s</th><td>%2$s</td></tr>', esc_html( $label ), wp_kses_post( $html ) );
		}
		echo '</tbody></table></div>';
	}

	/**
	 * Status, customer and image.
	 *
	 * @since 1.0.0
	 *
	 * @param array $job Job.
	 */
	private function render_summary( array $job ): void {
		$post_id = (int) ( $job['post_id'] ?? 0 );
		$post    = $post_id ? get_post( $post_id ) : null;
		$image   = '';
		if ( ! empty( $job['attachment_id'] ) && wp_attachment_is_image( (int) $job['attachment_id'] ) ) {
			$image = wp_get_attachment_image( (int) $job['attachment_id'], 'thumbnail' );
		} elseif ( ! empty( $job['image_url'] ) ) {
			$image = '<img src="' . esc_url( (string) $job['image_url'] ) . '" alt="" width="150" />';
		}
		$this->section(
			'smi-job-summary',
			__( 'Summary', 'sell-my-images' ),
			array(
				__( 'Job ID', 'sell-my-images' )         => '<code>' . esc_html( (string) ( $job['job_id'] ?? '' ) ) . '</code>',
				__( 'Status', 'sell-my-images' )         => SMI_Format::status_badge( (string) ( $job['status'] ?? '' ) ),
				__( 'Payment status', 'sell-my-images' ) => SMI_Format::payment_badge( (string) ( $job['payment_status'] ?? '' ) ),
				__( 'Email', 'sell-my-images' )          => esc_html( (string) ( $job['email'] ?? '—' ) ),
				__( 'Post', 'sell-my-images' )           => $post ? sprintf( '<a href="%1$s">%2$s</a> #%3$d', esc_url( (string) get_permalink( $post ) ), esc_html( get_the_title( $post ) ), $post_id ) : esc_html( $post_id ? '#' . $post_id : '—' ),
				__( 'Image', 'sell-my-images' )          => $image . ( ! empty( $job['attachment_id'] ) ? ' #' . (int) $job['attachment_id'] : '' ),
				__( 'Source size', 'sell-my-images' )    => esc_html( sprintf( '%d×%d', (int) ( $job['image_width'] ?? 0 ), (int) ( $job['image_height'] ?? 0 ) ) ),
				__( 'Resolution', 'sell-my-images' )     => esc_html( (string) ( $job['resolution'] ?? '' ) ) . ( ! empty( $job['output_width'] ) ? esc_html( sprintf( ' (%d×%d)', (int) $job['output_width'], (int) $job['output_height'] ) ) : '' ),
			)
		);
	}

	/**
	 * Payment information.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $job     Job.
	 * @param array  $refunds Refund summary.
	 * @param string $mode    Stripe mode.
	 */
	private function render_payment( array $job, array $refunds, string $mode ): void {
		$currency = (string) ( $job['currency'] ?? 'usd' );
		$pi       = (string) ( $job['stripe_payment_intent_id'] ?? '' );
		$this->section(
			'smi-payment-info',
			__( 'Payment', 'sell-my-images' ),
			array(
				__( 'Amount charged', 'sell-my-images' )   => '<span id="smi-amount-charged">' . esc_html( SMI_Format::money( $job['amount_charged'] ?? null, $currency ) ) . '</span>',
				__( 'Processing cost', 'sell-my-images' )  => esc_html( SMI_Format::money( $job['amount_cost'] ?? null, $currency ) ),
				__( 'Refunded', 'sell-my-images' )         => '<span id="smi-refund-amount">' . esc_html( SMI_Format::money( $refunds['total'] ?? ( $job['refund_amount'] ?? 0 ), $currency ) ) . '</span>',
				__( 'Still refundable', 'sell-my-images' ) => '<span id="smi-refund-remaining">' . esc_html( SMI_Format::money( $refunds['remaining'] ?? SMI_Format::refundable( $job ), $currency ) ) . '</span>',
				__( 'Currency', 'sell-my-images' )         => esc_html( strtoupper( $currency ) ),
				__( 'Paid at', 'sell-my-images' )          => esc_html( SMI_Format::datetime( $job['paid_at'] ?? null ) ),
				__( 'Checkout session', 'sell-my-images' ) => '<code>' . esc_html( (string) ( $job['stripe_checkout_session_id'] ?? '—' ) ) . '</code>',
				__( 'Payment intent', 'sell-my-images' )   => '' !== $pi
					? sprintf( '<a href="%1$s" target="_blank" rel="noopener noreferrer" id="smi-stripe-link"><code>%2$s</code></a>', esc_url( self::stripe_payment_url( $pi, $mode ) ), esc_html( $pi ) )
					: '—',
			)
		);
	}

	/**
	 * Processing timestamps, durations, Upsampler.
	 *
	 * @since 1.0.0
	 *
	 * @param array $job       Job.
	 * @param array $durations Durations from the daemon.
	 */
	private function render_processing( array $job, array $durations ): void {
		$this->section(
			'smi-processing-info',
			__( 'Processing', 'sell-my-images' ),
			array(
				__( 'Created', 'sell-my-images' )              => esc_html( SMI_Format::datetime( $job['created_at'] ?? null ) ),
				__( 'Paid', 'sell-my-images' )                 => esc_html( SMI_Format::datetime( $job['paid_at'] ?? null ) ),
				__( 'Processing started', 'sell-my-images' )   => esc_html( SMI_Format::datetime( $job['processing_started_at'] ?? null ) ),
				__( 'Completed', 'sell-my-images' )            => esc_html( SMI_Format::datetime( $job['completed_at'] ?? null ) ),
				__( 'Failed', 'sell-my-images' )               => esc_html( SMI_Format::datetime( $job['failed_at'] ?? null ) ),
				__( 'Paid after', 'sell-my-images' )           => esc_html( SMI_Format::duration( $durations['paid_after_seconds'] ?? null ) ),
				__( 'Processing duration', 'sell-my-images' )  => '<span id="smi-processing-duration">' . esc_html( SMI_Format::duration( $durations['processing_seconds'] ?? null ) ) . '</span>',
				__( 'Total duration', 'sell-my-images' )       => esc_html( SMI_Format::duration( $durations['total_seconds'] ?? null ) ),
				__( 'Upsampler job', 'sell-my-images' )        => '<code>' . esc_html( (string) ( $job['upsampler_job_id'] ?? '—' ) ) . '</code>',
				__( 'Credits used', 'sell-my-images' )         => esc_html( (string) (int) ( $job['credits_used'] ?? 0 ) ),
				__( 'Attempts', 'sell-my-images' )             => esc_html( (string) (int) ( $job['attempts'] ?? 0 ) ),
				__( 'Last error', 'sell-my-images' )           => esc_html( (string) ( $job['last_error'] ?? '—' ) ),
			)
		);
	}

	/**
	 * Download token status (never the token).
	 *
	 * @since 1.0.0
	 *
	 * @param array $job      Job.
	 * @param array $download Download summary.
	 */
	private function render_download( array $job, array $download ): void {
		$state  = (string) ( $download['token_state'] ?? ( $job['token_state'] ?? 'none' ) );
		$labels = array(
			'none'    => __( 'No download link yet', 'sell-my-images' ),
			'active'  => __( 'Active', 'sell-my-images' ),
			'expired' => __( 'Expired', 'sell-my-images' ),
		);
		$this->section(
			'smi-download-info',
			__( 'Download', 'sell-my-images' ),
			array(
				__( 'Download link', 'sell-my-images' ) => sprintf( '<span class="smi-token smi-token-%1$s" id="smi-token-state">%2$s</span>', esc_attr( sanitize_html_class( $state ) ), esc_html( $labels[ $state ] ?? $state ) ),
				__( 'Expires', 'sell-my-images' )       => esc_html( SMI_Format::datetime( $download['expires_at'] ?? ( $job['download_expires_at'] ?? null ) ) ),
				__( 'Downloads', 'sell-my-images' )     => '<span id="smi-download-count">' . esc_html( (string) (int) ( $download['count'] ?? ( $job['download_count'] ?? 0 ) ) ) . '</span>',
				__( 'Email sent', 'sell-my-images' )    => esc_html( ! empty( $job['email_sent'] ) ? __( 'Yes', 'sell-my-images' ) : __( 'No', 'sell-my-images' ) ),
			)
		);
	}

	/**
	 * Refund history.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $refunds  Refund summary with `history`.
	 * @param string $currency Job currency.
	 */
	private function render_refunds( array $refunds, string $currency ): void {
		echo '<div class="smi-card" id="smi-refund-history"><h2>' . esc_html__( 'Refunds', 'sell-my-images' ) . '</h2>';
		$history = array_filter( (array) ( $refunds['history'] ?? array() ), 'is_array' );
		if ( ! $history ) {
			echo '<p class="smi-empty">' . esc_html__( 'No refunds.', 'sell-my-images' ) . '</p></div>';
			return;
		}
		echo '<table class="widefat striped"><thead><tr>';
		foreach ( array( __( 'When', 'sell-my-images' ), __( 'Amount', 'sell-my-images' ), __( 'Status', 'sell-my-images' ), __( 'Reason', 'sell-my-images' ), __( 'By', 'sell-my-images' ), __( 'Stripe refund', 'sell-my-images' ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $history as $refund ) {
			$status = (string) ( $refund['status'] ?? '' );
			printf(
				'<tr class="smi-refund smi-refund-%1$s"><td>%2$s</td><td>%3$s</td><td>%4$s%5$s</td><td>%6$s</td><td>%7$s</td><td><code>%8$s</code></td></tr>',
				esc_attr( sanitize_html_class( $status ) ),
				esc_html( SMI_Format::datetime( $refund['created_at'] ?? null ) ),
				esc_html( SMI_Format::money( $refund['amount'] ?? null, (string) ( $refund['currency'] ?? $currency ) ) ),
				esc_html( $status ),
				! empty( $refund['error'] ) ? '<br /><span class="smi-error-text">' . esc_html( (string) $refund['error'] ) . '</span>' : '',
				esc_html( (string) ( $refund['reason'] ?? '' ) ),
				esc_html( trim( (string) ( $refund['actor'] ?? '' ) . ' (' . (string) ( $refund['source'] ?? '' ) . ')' ) ),
				esc_html( (string) ( $refund['stripe_refund_id'] ?? '' ) )
			);
		}
		echo '</tbody></table></div>';
	}

	/**
	 * Event timeline.
	 *
	 * @since 1.0.0
	 *
	 * @param array $events Events, oldest first.
	 */
	private function render_events( array $events ): void {
		echo '<div class="smi-card" id="smi-event-timeline"><h2>' . esc_html__( 'Timeline', 'sell-my-images' ) . '</h2>';
		$events = array_filter( $events, 'is_array' );
		if ( ! $events ) {
			echo '<p class="smi-empty">' . esc_html__( 'No events recorded.', 'sell-my-images' ) . '</p></div>';
			return;
		}
		echo '<ol class="smi-timeline">';
		foreach ( $events as $event ) {
			$move = '';
			if ( ! empty( $event['from_status'] ) || ! empty( $event['to_status'] ) ) {
				$move = ' ' . SMI_Format::status_badge( (string) ( $event['from_status'] ?? '' ) ) . ' &rarr; ' . SMI_Format::status_badge( (string) ( $event['to_status'] ?? '' ) );
			}
			printf(
				'<li class="smi-event smi-event-%1$s"><time datetime="%2$s">%3$s</time> <strong>%4$s</strong>%5$s <span class="smi-actor">%6$s</span><br />%7$s</li>',
				esc_attr( sanitize_html_class( (string) ( $event['type'] ?? '' ) ) ),
				esc_attr( (string) ( $event['at'] ?? '' ) ),
				esc_html( SMI_Format::datetime( $event['at'] ?? null ) ),
				esc_html( (string) ( $event['type'] ?? '' ) ),
				$move, // Escaped by status_badge.
				esc_html( (string) ( $event['actor'] ?? '' ) ),
				esc_html( (string) ( $event['message'] ?? '' ) )
			);
		}
		echo '</ol></div>';
	}

	/**
	 * Opens an action form (admin-post.php, its own nonce, a referer back here).
	 *
	 * @since 1.0.0
	 *
	 * @param string $action Action.
	 * @param string $job_id Job.
	 * @param string $title  Heading.
	 */
	private function form_open( string $action, string $job_id, string $title ): void {
		printf(
			'<form method="post" action="%1$s" id="smi-%2$s-form" class="smi-card smi-action-form"><h2>%3$s</h2><input type="hidden" name="action" value="smi_%2$s" /><input type="hidden" name="job_id" value="%4$s" />',
			esc_url( admin_url( 'admin-post.php' ) ),
			esc_attr( $action ),
			esc_html( $title ),
			esc_attr( $job_id )
		);
		wp_nonce_field( "smi_{$action}::{$job_id}" );
	}

	/**
	 * The manual interventions.
	 *
	 * @since 1.0.0
	 *
	 * @param array $job  Job.
	 * @param array $data Full details answer.
	 */
	private function render_forms( array $job, array $data ): void {
		$job_id   = (string) ( $job['job_id'] ?? '' );
		$status   = (string) ( $job['status'] ?? '' );
		$currency = strtolower( (string) ( $job['currency'] ?? 'usd' ) );
		$credits  = (int) ( $data['credits_estimate'] ?? 0 );

		$this->form_open( 'retry', $job_id, __( 'Retry upscaling', 'sell-my-images' ) );
		echo '<p>' . esc_html(
			sprintf(
				/* translators: %d: number of Upsampler credits. */
				_n( 'Runs the upscaling again (about %d Upsampler credit).', 'Runs the upscaling again (about %d Upsampler credits).', $credits, 'sell-my-images' ),
				$credits
			)
		) . '</p>';
		if ( 'completed' === $status ) {
			echo '<input type="hidden" name="force" value="1" />';
		}
		if ( ! in_array( (string) ( $job['payment_status'] ?? '' ), array( 'paid', 'partially_refunded' ), true ) ) {
			// Refunded or never paid: the daemon retries only when told the work is given away.
			printf( '<p><label><input type="checkbox" name="allow_unpaid" value="1" id="smi-retry-allow-unpaid" /> %s</label></p>', esc_html__( 'Make it even though it is not paid (refunded or never paid): the work is given away', 'sell-my-images' ) );
		}
		printf( '<p><label for="smi-retry-reason">%1$s</label><br /><input type="text" class="regular-text" id="smi-retry-reason" name="reason" maxlength="500" /></p>', esc_html__( 'Reason (optional)', 'sell-my-images' ) );
		submit_button( __( 'Retry upscaling', 'sell-my-images' ), 'secondary smi-confirm', 'submit', false, array( 'data-confirm' => sprintf( /* translators: %d: number of credits. */ __( 'Retry upscaling? This uses about %d Upsampler credits.', 'sell-my-images' ), $credits ) ) );
		echo '</form>';

		$this->form_open( 'token', $job_id, __( 'Regenerate download link', 'sell-my-images' ) );
		echo '<p>' . esc_html__( 'Creates a new link (shown once on the next page); the current link stops working.', 'sell-my-images' ) . '</p>';
		printf( '<p><label><input type="checkbox" name="send_email" value="1" id="smi-token-send-email" checked /> %s</label></p>', esc_html__( 'Email the new link to the customer', 'sell-my-images' ) );
		submit_button( __( 'Regenerate link', 'sell-my-images' ), 'secondary', 'submit', false );
		echo '</form>';

		$remaining = (int) ( $data['refunds']['remaining'] ?? SMI_Format::refundable( $job ) );
		if ( $remaining > 0 ) {
			$this->form_open( 'refund', $job_id, __( 'Refund', 'sell-my-images' ) );
			printf( '<input type="hidden" name="idempotency_key" value="%1$s" /><input type="hidden" name="currency" value="%2$s" />', esc_attr( wp_generate_uuid4() ), esc_attr( $currency ) );
			printf(
				'<p><label for="smi-refund-amount-input">%1$s</label><br /><input type="text" inputmode="decimal" id="smi-refund-amount-input" name="amount" value="%2$s" pattern="[0-9]+([.,][0-9]+)?" size="10" data-currency="%3$s" /> %4$s</p>',
				esc_html(
					sprintf(
						/* translators: %s: the refundable amount. */
						__( 'Amount (up to %s)', 'sell-my-images' ),
						SMI_Format::money( $remaining, $currency )
					)
				),
				esc_attr( SMI_Format::decimal_string( $remaining, $currency ) ),
				esc_attr( $currency ),
				esc_html( strtoupper( $currency ) )
			);
			printf( '<p><label for="smi-refund-reason">%1$s</label><br /><textarea id="smi-refund-reason" name="reason" rows="2" class="large-text" required maxlength="500"></textarea></p>', esc_html__( 'Reason (required, recorded with the refund)', 'sell-my-images' ) );
			submit_button( __( 'Refund', 'sell-my-images' ), 'secondary smi-refund-submit', 'submit', false );
			echo '</form>';
		}

		$moves = array_values( array_intersect( (array) ( $data['allowed_status_moves'] ?? array() ), SMI_Format::STATUSES ) );
		if ( $moves ) {
			$this->form_open( 'status', $job_id, __( 'Change status', 'sell-my-images' ) );
			echo '<p>' . esc_html__( 'For edge cases only: the daemon records who moved the job and why.', 'sell-my-images' ) . '</p>';
			printf( '<p><label for="smi-status-select">%s</label><br /><select id="smi-status-select" name="status" required><option value="">%s</option>', esc_html__( 'New status', 'sell-my-images' ), esc_html__( '— Choose —', 'sell-my-images' ) );
			foreach ( $moves as $move ) {
				printf( '<option value="%1$s">%2$s</option>', esc_attr( $move ), esc_html( SMI_Format::status_label( $move ) ) );
			}
			echo '</select></p>';
			printf( '<p><label for="smi-status-reason">%1$s</label><br /><textarea id="smi-status-reason" name="reason" rows="2" class="large-text" required maxlength="500"></textarea></p>', esc_html__( 'Reason (required)', 'sell-my-images' ) );
			submit_button( __( 'Change status', 'sell-my-images' ), 'secondary smi-confirm', 'submit', false, array( 'data-confirm' => __( 'Change this job\'s status?', 'sell-my-images' ) ) );
			echo '</form>';
		}

		if ( 'active' === ( $data['download']['token_state'] ?? ( $job['token_state'] ?? '' ) ) ) {
			$this->form_open( 'email', $job_id, __( 'Resend email', 'sell-my-images' ) );
			/* translators: %s: customer email address. */
			echo '<p>' . esc_html( sprintf( __( 'Sends the download email to %s again.', 'sell-my-images' ), (string) ( $job['email'] ?? '' ) ) ) . '</p>';
			submit_button( __( 'Resend email', 'sell-my-images' ), 'secondary', 'submit', false );
			echo '</form>';
		}

		$this->form_open( 'reconcile', $job_id, __( 'Reconcile with Stripe', 'sell-my-images' ) );
		echo '<p>' . esc_html__( 'Asks Stripe for the payment\'s current state and corrects the job if they disagree.', 'sell-my-images' ) . '</p>';
		submit_button( __( 'Reconcile', 'sell-my-images' ), 'secondary', 'submit', false );
		echo '</form>';
	}
}
