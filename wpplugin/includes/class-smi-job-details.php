<?php
/**
 * One job's details screen.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-smi-daemon-system.php';

/**
 * Prints `admin.php?page=smi-jobs&job=<uuid>` from `GET /v1/jobs/{id}`:
 * payment, processing, download (with its log), refunds, the timeline
 * (newest first, with private admin notes), and the forms of exactly the
 * interventions the daemon says apply to the job (`job.actions`), with the
 * daemon's reason for each one that does not.
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
	 * The daemon's lists and limits.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_System
	 */
	private SMI_Daemon_System $system;

	/**
	 * Builds the screen.
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
			/** This action is documented in includes/class-smi-onboarding.php */
			do_action( SMI_Onboarding::IN_PLACE );
			SMI_Notices::render( 'error', esc_html__( 'That is not a valid job ID. Job IDs look like 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc.', 'sell-my-images' ), 'smi-invalid-job' );
			echo '</div>';
			return;
		}

		$data = $this->client->get( '/v1/jobs/' . rawurlencode( $job_id ) );
		/* translators: %s: first 8 characters of the job ID. */
		echo '<h1>' . esc_html( sprintf( __( 'Job %s', 'sell-my-images' ), substr( $job_id, 0, 8 ) ) ) . '</h1><hr class="wp-header-end" />';
		/** This action is documented in includes/class-smi-onboarding.php */
		do_action( SMI_Onboarding::IN_PLACE );
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
		$mode   = $this->system->stripe_mode();
		$events = array_values( array_filter( (array) ( $data['events'] ?? array() ), 'is_array' ) );

		$this->render_summary( $job );
		echo '<div class="smi-columns">';
		echo '<div class="smi-column">';
		$this->render_payment( $job, (array) ( $data['refunds'] ?? array() ), $mode );
		$this->render_processing( $job, (array) ( $data['durations'] ?? array() ) );
		$this->render_download( $job, (array) ( $data['download'] ?? array() ), $events );
		$this->render_refunds( (array) ( $data['refunds'] ?? array() ), (string) ( $job['currency'] ?? 'usd' ) );
		echo '</div><div class="smi-column">';
		$this->render_forms( $job, $data );
		echo '</div></div>';
		$this->render_events( $job, $events );
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
			printf( '<tr><th scope="row">%1$s</th><td>%2$s</td></tr>', esc_html( $label ), wp_kses( $html, self::allowed_html() ) );
		}
		echo '</tbody></table></div>';
	}

	/**
	 * Tags a fact may hold: the post tags, plus `<time>`.
	 *
	 * @since 1.1.0
	 *
	 * @return array
	 */
	private static function allowed_html(): array {
		$tags         = wp_kses_allowed_html( 'post' );
		$tags['time'] = array(
			'datetime' => true,
			'title'    => true,
		);
		return $tags;
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
				__( 'Status', 'sell-my-images' )         => SMI_Format::status_badge( (string) ( $job['status'] ?? '' ) ) . SMI_Format::attention_badges( $job ),
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
				__( 'Still refundable', 'sell-my-images' ) => '<span id="smi-refund-remaining">' . esc_html( SMI_Format::money( $job['refundable'] ?? ( $refunds['remaining'] ?? null ), $currency ) ) . '</span>',
				__( 'Currency', 'sell-my-images' )         => esc_html( strtoupper( $currency ) ),
				__( 'Paid at', 'sell-my-images' )          => SMI_Format::time_html( $job['paid_at'] ?? null ),
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
				__( 'Created', 'sell-my-images' )              => SMI_Format::time_html( $job['created_at'] ?? null ),
				__( 'Paid', 'sell-my-images' )                 => SMI_Format::time_html( $job['paid_at'] ?? null ),
				__( 'Processing started', 'sell-my-images' )   => SMI_Format::time_html( $job['processing_started_at'] ?? null ),
				__( 'Completed', 'sell-my-images' )            => SMI_Format::time_html( $job['completed_at'] ?? null ),
				__( 'Failed', 'sell-my-images' )               => SMI_Format::time_html( $job['failed_at'] ?? null ),
				__( 'Paid after', 'sell-my-images' )           => esc_html( SMI_Format::duration( $durations['paid_after_seconds'] ?? null ) ),
				__( 'Processing duration', 'sell-my-images' )  => '<span id="smi-processing-duration">' . esc_html( SMI_Format::duration( $durations['processing_seconds'] ?? null ) ) . '</span>',
				__( 'Total duration', 'sell-my-images' )       => esc_html( SMI_Format::duration( $durations['total_seconds'] ?? null ) ),
				__( 'Upsampler job', 'sell-my-images' )        => '<code>' . esc_html( (string) ( $job['upsampler_job_id'] ?? '—' ) ) . '</code>',
				__( 'Credits used', 'sell-my-images' )         => esc_html( (string) (int) ( $job['credits_used'] ?? 0 ) ),
				__( 'Attempts', 'sell-my-images' )             => esc_html( (string) (int) ( $job['attempts'] ?? 0 ) ),
				__( 'Last error', 'sell-my-images' )           => '<span id="smi-last-error">' . esc_html( (string) ( $job['last_error'] ?? '—' ) ) . '</span>',
			)
		);
	}

	/**
	 * Download token status (never the token) and the download log (time and
	 * client IP of each `downloaded` event, newest first).
	 *
	 * @since 1.0.0
	 *
	 * @param array $job      Job.
	 * @param array $download Download summary.
	 * @param array $events   Timeline events.
	 */
	private function render_download( array $job, array $download, array $events ): void {
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
				__( 'Expires', 'sell-my-images' )       => SMI_Format::time_html( $download['expires_at'] ?? ( $job['download_expires_at'] ?? null ) ),
				__( 'Downloads', 'sell-my-images' )     => '<span id="smi-download-count">' . esc_html( (string) (int) ( $download['count'] ?? ( $job['download_count'] ?? 0 ) ) ) . '</span>',
				__( 'Email sent', 'sell-my-images' )    => esc_html( ! empty( $job['email_sent'] ) ? __( 'Yes', 'sell-my-images' ) : __( 'No', 'sell-my-images' ) ),
			)
		);
		$log = array_filter( $events, static fn( $e ) => 'downloaded' === ( $e['type'] ?? '' ) );
		echo '<div class="smi-card" id="smi-download-log"><h2>' . esc_html__( 'Download log', 'sell-my-images' ) . '</h2>';
		if ( ! $log ) {
			echo '<p class="smi-empty">' . esc_html__( 'Not downloaded yet.', 'sell-my-images' ) . '</p></div>';
			return;
		}
		printf( '<table class="widefat striped"><thead><tr><th scope="col">%1$s</th><th scope="col">%2$s</th></tr></thead><tbody>', esc_html__( 'When', 'sell-my-images' ), esc_html__( 'IP address', 'sell-my-images' ) );
		foreach ( self::newest_first( $log ) as $event ) {
			$data = (array) ( $event['data'] ?? array() );
			$ip   = (string) ( $data['ip'] ?? ( $data['client_ip'] ?? '' ) );
			printf(
				'<tr class="smi-download"><td>%1$s</td><td><code>%2$s</code></td></tr>',
				SMI_Format::time_html( $event['at'] ?? null ), // Escaped in time_html().
				esc_html( '' !== $ip ? $ip : '—' )
			);
		}
		echo '</tbody></table></div>';
	}

	/**
	 * Events sorted newest first (by time, then by id).
	 *
	 * @since 1.1.0
	 *
	 * @param array $events Events.
	 * @return array
	 */
	private static function newest_first( array $events ): array {
		usort(
			$events,
			static function ( $a, $b ) {
				$by_time = (int) SMI_Format::timestamp( $b['at'] ?? null ) <=> (int) SMI_Format::timestamp( $a['at'] ?? null );
				if ( 0 !== $by_time ) {
					return $by_time;
				}
				$by_text = strcmp( (string) ( $b['at'] ?? '' ), (string) ( $a['at'] ?? '' ) );
				return 0 !== $by_text ? $by_text : (int) ( $b['id'] ?? 0 ) <=> (int) ( $a['id'] ?? 0 );
			}
		);
		return $events;
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
				SMI_Format::time_html( $refund['created_at'] ?? null ), // Escaped in time_html().
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
	 * The timeline, newest first, with human labels, and the form that adds
	 * a private note to it (notes are events of type `note`).
	 *
	 * @since 1.0.0
	 *
	 * @param array $job    Job.
	 * @param array $events Events.
	 */
	private function render_events( array $job, array $events ): void {
		echo '<div class="smi-card" id="smi-event-timeline"><h2>' . esc_html__( 'Timeline', 'sell-my-images' ) . '</h2>';
		$this->render_note_form( (string) ( $job['job_id'] ?? '' ) );
		if ( ! $events ) {
			echo '<p class="smi-empty">' . esc_html__( 'No events recorded.', 'sell-my-images' ) . '</p></div>';
			return;
		}
		echo '<ol class="smi-timeline">';
		foreach ( self::newest_first( $events ) as $event ) {
			$type = (string) ( $event['type'] ?? '' );
			$move = '';
			if ( ! empty( $event['from_status'] ) || ! empty( $event['to_status'] ) ) {
				$move = ' ' . SMI_Format::status_badge( (string) ( $event['from_status'] ?? '' ) ) . ' &rarr; ' . SMI_Format::status_badge( (string) ( $event['to_status'] ?? '' ) );
			}
			printf(
				'<li class="smi-event smi-event-%1$s" data-type="%1$s">%2$s <strong class="smi-event-label">%3$s</strong>%4$s <span class="smi-actor">%5$s</span><br /><span class="smi-event-message">%6$s</span></li>',
				esc_attr( sanitize_html_class( $type ) ),
				SMI_Format::time_html( $event['at'] ?? null ), // Escaped in time_html().
				esc_html( SMI_Format::event_label( $type ) ),
				$move, // Escaped by status_badge.
				esc_html( (string) ( $event['actor'] ?? '' ) ),
				esc_html( (string) ( $event['message'] ?? '' ) )
			);
		}
		echo '</ol></div>';
	}

	/**
	 * The private note form (`POST /v1/jobs/{id}/notes` through admin-post.php).
	 *
	 * @since 1.1.0
	 *
	 * @param string $job_id Job.
	 */
	private function render_note_form( string $job_id ): void {
		printf(
			'<form method="post" action="%1$s" id="smi-note-form" class="smi-note-form"><input type="hidden" name="action" value="smi_note" /><input type="hidden" name="job_id" value="%2$s" />',
			esc_url( admin_url( 'admin-post.php' ) ),
			esc_attr( $job_id )
		);
		wp_nonce_field( "smi_note::{$job_id}" );
		printf(
			'<p><label for="smi-note-text">%1$s</label><br /><textarea id="smi-note-text" name="note" rows="2" class="large-text" required%2$s></textarea></p>',
			esc_html__( 'Private note (only admins see it)', 'sell-my-images' ),
			$this->system->maxlength( 'note_max' ) // Escaped in maxlength().
		);
		submit_button( __( 'Add note', 'sell-my-images' ), 'secondary', 'submit', false, array( 'id' => 'smi-note-submit' ) );
		echo '</form>';
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
	 * The interventions the daemon allows on this job, each with its own
	 * form, then the daemon's reasons for the ones it does not.
	 *
	 * @since 1.0.0
	 *
	 * @param array $job  Job.
	 * @param array $data Full details answer.
	 */
	private function render_forms( array $job, array $data ): void {
		$actions = (array) ( $job['actions'] ?? array() );
		$forms   = array(
			'retry'            => 'render_retry_form',
			'regenerate_token' => 'render_token_form',
			'refund'           => 'render_refund_form',
			'set_status'       => 'render_status_form',
			'resend_email'     => 'render_email_form',
			'reconcile'        => 'render_reconcile_form',
		);
		$refused = array();
		foreach ( $forms as $action => $method ) {
			$verdict = (array) ( $actions[ $action ] ?? array() );
			if ( ! empty( $verdict['allowed'] ) ) {
				$this->$method( $job, $data, $verdict );
			} elseif ( isset( $actions[ $action ] ) ) {
				$refused[ $action ] = (string) ( $verdict['reason'] ?? '' );
			}
		}
		if ( ! $refused ) {
			return;
		}
		echo '<div class="smi-card" id="smi-unavailable-actions"><h2>' . esc_html__( 'Not available now', 'sell-my-images' ) . '</h2><ul>';
		foreach ( $refused as $action => $reason ) {
			printf( '<li data-action="%1$s"><strong>%2$s</strong>%3$s</li>', esc_attr( $action ), esc_html( SMI_Format::action_label( $action ) ), '' !== $reason ? ': ' . esc_html( $reason ) : '' );
		}
		echo '</ul></div>';
	}

	/**
	 * Retry form.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job     Job.
	 * @param array $data    Details answer.
	 * @param array $verdict The daemon's verdict on the action.
	 */
	private function render_retry_form( array $job, array $data, array $verdict ): void {
		$job_id  = (string) ( $job['job_id'] ?? '' );
		$credits = (int) ( $data['credits_estimate'] ?? 0 );
		$this->form_open( 'retry', $job_id, __( 'Retry upscaling', 'sell-my-images' ) );
		echo '<p>' . esc_html(
			sprintf(
				/* translators: %d: number of Upsampler credits. */
				_n( 'Runs the upscaling again (about %d Upsampler credit).', 'Runs the upscaling again (about %d Upsampler credits).', $credits, 'sell-my-images' ),
				$credits
			)
		) . '</p>';
		// Flags the daemon requires for this job are ticked by hand, never for the admin.
		$flags    = array(
			'force'        => __( 'Start another upscale even though one is running', 'sell-my-images' ),
			'allow_unpaid' => __( 'Make it even though it is not paid (the work is given away)', 'sell-my-images' ),
		);
		$requires = array_intersect( array_keys( $flags ), (array) ( $verdict['requires'] ?? array() ) );
		if ( $requires && ! empty( $verdict['reason'] ) ) {
			echo '<p class="smi-warning" id="smi-retry-warning">' . esc_html( (string) $verdict['reason'] ) . '</p>';
		}
		foreach ( $requires as $flag ) {
			printf( '<p><label><input type="checkbox" name="%1$s" value="1" id="smi-retry-%2$s" required /> %3$s</label></p>', esc_attr( $flag ), esc_attr( str_replace( '_', '-', $flag ) ), esc_html( $flags[ $flag ] ) );
		}
		printf( '<p><label for="smi-retry-reason">%1$s</label><br /><input type="text" class="regular-text" id="smi-retry-reason" name="reason"%2$s /></p>', esc_html__( 'Reason (optional)', 'sell-my-images' ), $this->system->maxlength( 'reason_max' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- maxlength() escapes.
		/* translators: %d: number of credits. */
		submit_button( __( 'Retry upscaling', 'sell-my-images' ), 'secondary smi-confirm', 'submit', false, array( 'data-confirm' => sprintf( __( 'Retry upscaling? This uses about %d Upsampler credits.', 'sell-my-images' ), $credits ) ) );
		echo '</form>';
	}

	/**
	 * Regenerate-link form, with the link's lifetime.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job     Job.
	 * @param array $data    Details answer.
	 * @param array $verdict The daemon's verdict on the action.
	 */
	private function render_token_form( array $job, array $data, array $verdict ): void {
		unset( $data, $verdict );
		$this->form_open( 'token', (string) ( $job['job_id'] ?? '' ), __( 'Regenerate download link', 'sell-my-images' ) );
		echo '<p>' . esc_html__( 'Creates a new link (shown once on the next page); the current link stops working.', 'sell-my-images' ) . '</p>';
		printf( '<p><label for="smi-token-expiry">%s</label> <select id="smi-token-expiry" name="expires_in_hours">', esc_html__( 'The link works for', 'sell-my-images' ) );
		foreach ( SMI_Job_Actions::EXPIRY_HOURS as $hours ) {
			$label = 0 === $hours % 24
				/* translators: %d: number of days. */
				? sprintf( _n( '%d day', '%d days', intdiv( $hours, 24 ), 'sell-my-images' ), intdiv( $hours, 24 ) )
				/* translators: %d: number of hours. */
				: sprintf( _n( '%d hour', '%d hours', $hours, 'sell-my-images' ), $hours );
			printf( '<option value="%1$d"%2$s>%3$s</option>', (int) $hours, selected( 72, $hours, false ), esc_html( $label ) );
		}
		echo '</select></p>';
		printf( '<p><label><input type="checkbox" name="send_email" value="1" id="smi-token-send-email" checked /> %s</label></p>', esc_html__( 'Email the new link to the customer', 'sell-my-images' ) );
		submit_button( __( 'Regenerate link', 'sell-my-images' ), 'secondary', 'submit', false );
		echo '</form>';
	}

	/**
	 * Refund form, up to what the daemon says is refundable.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job     Job.
	 * @param array $data    Details answer.
	 * @param array $verdict The daemon's verdict on the action.
	 */
	private function render_refund_form( array $job, array $data, array $verdict ): void {
		unset( $verdict );
		$currency  = strtolower( (string) ( $job['currency'] ?? 'usd' ) );
		$remaining = (int) ( $job['refundable'] ?? ( $data['refunds']['remaining'] ?? 0 ) );
		$this->form_open( 'refund', (string) ( $job['job_id'] ?? '' ), __( 'Refund', 'sell-my-images' ) );
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
		printf( '<p><label for="smi-refund-reason">%1$s</label><br /><textarea id="smi-refund-reason" name="reason" rows="2" class="large-text" required%2$s></textarea></p>', esc_html__( 'Reason (required, recorded with the refund)', 'sell-my-images' ), $this->system->maxlength( 'reason_max' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- maxlength() escapes.
		printf(
			'<p><label><input type="checkbox" id="smi-refund-notify" name="notify_customer" value="1" checked="checked" /> %s</label></p>',
			esc_html__( 'Notify the customer (an email with the amount and your reason)', 'sell-my-images' )
		);
		submit_button( __( 'Refund', 'sell-my-images' ), 'secondary smi-refund-submit', 'submit', false );
		echo '</form>';
	}

	/**
	 * Status override form, offering the daemon's targets for this job.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job     Job.
	 * @param array $data    Details answer.
	 * @param array $verdict The daemon's verdict, with `targets`.
	 */
	private function render_status_form( array $job, array $data, array $verdict ): void {
		unset( $data );
		$targets = array_values( array_filter( (array) ( $verdict['targets'] ?? array() ), static fn( $t ) => is_string( $t ) && '' !== $t ) );
		if ( ! $targets ) {
			return;
		}
		$this->form_open( 'status', (string) ( $job['job_id'] ?? '' ), __( 'Change status', 'sell-my-images' ) );
		echo '<p>' . esc_html__( 'For edge cases only: the daemon records who moved the job and why.', 'sell-my-images' ) . '</p>';
		printf( '<p><label for="smi-status-select">%s</label><br /><select id="smi-status-select" name="status" required><option value="">%s</option>', esc_html__( 'New status', 'sell-my-images' ), esc_html__( '— Choose —', 'sell-my-images' ) );
		foreach ( $targets as $target ) {
			printf( '<option value="%1$s">%2$s</option>', esc_attr( $target ), esc_html( SMI_Format::status_label( $target ) ) );
		}
		echo '</select></p>';
		printf( '<p><label for="smi-status-reason">%1$s</label><br /><textarea id="smi-status-reason" name="reason" rows="2" class="large-text" required%2$s></textarea></p>', esc_html__( 'Reason (required)', 'sell-my-images' ), $this->system->maxlength( 'reason_max' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- maxlength() escapes.
		submit_button( __( 'Change status', 'sell-my-images' ), 'secondary smi-confirm', 'submit', false, array( 'data-confirm' => __( 'Change this job\'s status?', 'sell-my-images' ) ) );
		echo '</form>';
	}

	/**
	 * Resend-email form.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job     Job.
	 * @param array $data    Details answer.
	 * @param array $verdict The daemon's verdict on the action.
	 */
	private function render_email_form( array $job, array $data, array $verdict ): void {
		unset( $data, $verdict );
		$this->form_open( 'email', (string) ( $job['job_id'] ?? '' ), __( 'Resend email', 'sell-my-images' ) );
		/* translators: %s: customer email address. */
		echo '<p>' . esc_html( sprintf( __( 'Sends the download email to %s again.', 'sell-my-images' ), (string) ( $job['email'] ?? '' ) ) ) . '</p>';
		submit_button( __( 'Resend email', 'sell-my-images' ), 'secondary', 'submit', false );
		echo '</form>';
	}

	/**
	 * Reconcile form.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job     Job.
	 * @param array $data    Details answer.
	 * @param array $verdict The daemon's verdict on the action.
	 */
	private function render_reconcile_form( array $job, array $data, array $verdict ): void {
		unset( $data, $verdict );
		$this->form_open( 'reconcile', (string) ( $job['job_id'] ?? '' ), __( 'Reconcile with Stripe', 'sell-my-images' ) );
		echo '<p>' . esc_html__( 'Asks Stripe for the payment\'s current state and corrects the job if they disagree.', 'sell-my-images' ) . '</p>';
		submit_button( __( 'Reconcile', 'sell-my-images' ), 'secondary', 'submit', false );
		echo '</form>';
	}
}
