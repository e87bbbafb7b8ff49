<?php
/**
 * SMI_Job_Details: the details screen.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/class-smi-jobs-test-case.php';

class Test_SMI_Job_Details extends SMI_Jobs_Test_Case {

	const JOB = '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc';

	private function serve_job( string $mode = 'test', array $job = array() ): void {
		$detail = array(
			'job'                  => $this->job(
				array_merge(
					array(
						'job_id'                   => self::JOB,
						'status'                   => 'failed',
						'payment_status'           => 'partially_refunded',
						'amount_charged'           => 1299,
						'refund_amount'            => 300,
						'stripe_payment_intent_id' => 'pi_3Abc',
						'upsampler_job_id'         => 'ups_77',
						'credits_used'             => 4,
						'paid_at'                  => '2026-12-01T10:01:00Z',
						'failed_at'                => '2026-12-01T10:05:00Z',
						'token_state'              => 'expired',
						'refundable'               => 999,
						'attention'                => array( 'failed' ),
						'actions'                  => array(
							'retry'            => array( 'allowed' => true ),
							'regenerate_token' => array( 'allowed' => true ),
							'refund'           => array( 'allowed' => true ),
							'set_status'       => array(
								'allowed' => true,
								'targets' => array( 'completed', '"><b>x' ),
							),
							'resend_email'     => array(
								'allowed' => false,
								'reason'  => 'the link expired <now>',
							),
							'reconcile'        => array( 'allowed' => true ),
						),
					),
					$job
				)
			),
			'durations'            => array( 'paid_after_seconds' => 60, 'processing_seconds' => 185, 'total_seconds' => 300 ),
			'download'             => array( 'token_state' => 'expired', 'expires_at' => '2026-11-30T10:00:00Z', 'count' => 3 ),
			'refunds'              => array(
				'total'     => 300,
				'remaining' => 999,
				'currency'  => 'usd',
				'history'   => array( array( 'id' => 1, 'stripe_refund_id' => 're_9', 'amount' => 300, 'currency' => 'usd', 'reason' => 'late <script>x</script>', 'actor' => 'wp:1:admin', 'status' => 'succeeded', 'source' => 'admin', 'error' => null, 'created_at' => '2026-12-01T11:00:00Z' ) ),
			),
			'events'               => array(
				array( 'id' => 1, 'job_id' => self::JOB, 'at' => '2026-12-01T10:00:00.5Z', 'actor' => 'system', 'type' => 'checkout_created', 'from_status' => null, 'to_status' => 'awaiting_payment', 'message' => 'checkout created', 'data' => array() ),
				array( 'id' => 2, 'job_id' => self::JOB, 'at' => '2026-12-01T10:03:00Z', 'actor' => 'system', 'type' => 'downloaded', 'from_status' => null, 'to_status' => null, 'message' => 'file downloaded', 'data' => array( 'ip' => '203.0.113.7' ) ),
				array( 'id' => 3, 'job_id' => self::JOB, 'at' => '2026-12-01T10:04:00Z', 'actor' => 'system', 'type' => 'downloaded', 'from_status' => null, 'to_status' => null, 'message' => 'file downloaded', 'data' => array( 'client_ip' => '198.51.100.9' ) ),
				array( 'id' => 4, 'job_id' => self::JOB, 'at' => '2026-12-01T10:05:00Z', 'actor' => 'system', 'type' => 'failed', 'from_status' => 'processing', 'to_status' => 'failed', 'message' => 'Upsampler error', 'data' => array() ),
				array( 'id' => 5, 'job_id' => self::JOB, 'at' => '2026-12-01T10:06:00Z', 'actor' => 'wp:1:admin', 'type' => 'note', 'from_status' => null, 'to_status' => null, 'message' => 'Called the <script>customer</script>', 'data' => array() ),
				array( 'id' => 6, 'job_id' => self::JOB, 'at' => '2026-12-01T10:06:00Z', 'actor' => 'system', 'type' => 'brand_new_event', 'from_status' => null, 'to_status' => null, 'message' => 'same second, later id', 'data' => array() ),
			),
			'credits_estimate'     => 4,
		);

		$system                = self::system_answer();
		$system['stripe_mode'] = $mode;
		$this->serve(
			array(
				'/v1/system'            => $this->json( 200, $system ),
				'/v1/jobs/' . self::JOB => $this->json( 200, $detail ),
			)
		);
	}

	private function render( string $job_id = self::JOB ): string {
		$this->login( 'administrator' );
		ob_start();
		( new SMI_Job_Details( $this->client(), $this->system() ) )->render( $job_id );
		return (string) ob_get_clean();
	}

	public function test_shows_payment_processing_download_refunds_and_timeline(): void {
		$this->serve_job();
		$html = $this->render();
		$this->assertStringContainsString( 'id="smi-payment-info"', $html );
		$this->assertStringContainsString( '<span id="smi-amount-charged">$12.99</span>', $html );
		$this->assertStringContainsString( '<span id="smi-refund-remaining">$9.99</span>', $html );
		$this->assertStringContainsString( 'href="https://dashboard.stripe.com/test/payments/pi_3Abc"', $html );
		$this->assertStringContainsString( 'ups_77', $html );
		$this->assertStringContainsString( '<span id="smi-processing-duration">3 min 5 s</span>', $html );
		$this->assertStringContainsString( 'smi-token smi-token-expired', $html );
		$this->assertStringContainsString( '<span id="smi-download-count">3</span>', $html );
		$this->assertStringContainsString( 'id="smi-refund-history"', $html );
		$this->assertStringContainsString( 'late &lt;script&gt;x&lt;/script&gt;', $html );
		$this->assertStringContainsString( 'wp:1:admin (admin)', $html );
		$this->assertStringContainsString( 'id="smi-event-timeline"', $html );
		$this->assertStringContainsString( 'Upsampler error', $html );
	}

	public function test_live_mode_links_without_test(): void {
		$this->serve_job( 'live' );
		$this->assertStringContainsString( 'href="https://dashboard.stripe.com/payments/pi_3Abc"', $this->render() );
	}

	public function test_forms_are_the_daemons_allowed_actions_with_their_own_nonces(): void {
		$this->serve_job();
		$html = $this->render();
		foreach ( array( 'retry', 'token', 'refund', 'status', 'reconcile', 'note' ) as $action ) {
			$this->assertStringContainsString( 'id="smi-' . $action . '-form"', $html );
			preg_match( '#<form[^>]+id="smi-' . $action . '-form".*?name="_wpnonce" value="([0-9a-f]+)"#s', $html, $m );
			$this->assertSame( 1, wp_verify_nonce( $m[1], 'smi_' . $action . '::' . self::JOB ), $action );
		}
		$this->assertStringNotContainsString( 'id="smi-email-form"', $html, 'the daemon refused resend' );
		$this->assertStringContainsString( '<li data-action="resend_email"><strong>Resend email</strong>: the link expired &lt;now&gt;</li>', $html );
		$this->assertMatchesRegularExpression( '#name="idempotency_key" value="[0-9a-f-]{36}"#', $html );
		$this->assertStringContainsString( 'name="amount" value="9.99"', $html, 'the daemon\'s refundable amount' );
		$this->assertStringContainsString( '<option value="completed">Completed</option>', $html, 'the daemon\'s targets' );
		$this->assertStringContainsString( '<option value="&quot;&gt;&lt;b&gt;x">&quot;&gt;&lt;b&gt;x</option>', $html, 'an unknown target is escaped and shown as itself' );
		$this->assertStringNotContainsString( '<option value="pending">', $html );
		$this->assertStringContainsString( 'maxlength="1000"', $html, 'the daemon\'s limit' );
	}

	public function test_retry_asks_for_the_flags_the_daemon_requires(): void {
		$this->serve_job( 'test', array( 'actions' => array( 'retry' => array( 'allowed' => true, 'requires' => array( 'allow_unpaid' ), 'reason' => 'the job is not paid <refunded>' ) ) ) );
		$html = $this->render();
		$this->assertStringContainsString( '<input type="checkbox" name="allow_unpaid" value="1" id="smi-retry-allow-unpaid" required />', $html );
		$this->assertStringNotContainsString( 'name="force"', $html );
		$this->assertStringContainsString( 'id="smi-retry-warning">the job is not paid &lt;refunded&gt;</p>', $html );

		$this->serve_job( 'test', array( 'actions' => array( 'retry' => array( 'allowed' => true ) ) ) );
		$html = $this->render();
		$this->assertStringContainsString( 'id="smi-retry-form"', $html );
		$this->assertStringNotContainsString( 'name="allow_unpaid"', $html, 'no flag when the daemon needs none' );
	}

	public function test_no_forms_when_the_daemon_allows_nothing(): void {
		$refused = array();
		foreach ( array( 'retry', 'regenerate_token', 'refund', 'set_status', 'resend_email', 'reconcile' ) as $action ) {
			$refused[ $action ] = array( 'allowed' => false, 'reason' => 'no' );
		}
		$this->serve_job( 'test', array( 'actions' => $refused ) );
		$html = $this->render();
		foreach ( array( 'retry', 'token', 'refund', 'status', 'email', 'reconcile' ) as $action ) {
			$this->assertStringNotContainsString( 'id="smi-' . $action . '-form"', $html );
		}
		$this->assertSame( 6, substr_count( $html, '<li data-action=' ) );
		$this->assertStringContainsString( 'id="smi-note-form"', $html, 'a note can always be added' );
	}

	public function test_regenerate_offers_link_lifetimes(): void {
		$this->serve_job();
		$html = $this->render();
		preg_match( '#<select id="smi-token-expiry" name="expires_in_hours">(.*?)</select>#s', $html, $m );
		preg_match_all( '#<option value="(\d+)"[^>]*>([^<]+)</option>#', $m[1], $options );
		$this->assertSame( array( '24', '72', '168', '720' ), $options[1] );
		$this->assertSame( array( '1 day', '3 days', '7 days', '30 days' ), $options[2] );
	}

	public function test_timeline_is_newest_first_with_labels_and_notes(): void {
		$this->serve_job();
		$html = $this->render();
		preg_match_all( '#<li class="smi-event smi-event-([a-z_]+)"[^>]*>.*?<strong class="smi-event-label">([^<]+)</strong>#s', $html, $m );
		$this->assertSame( array( 'brand_new_event', 'note', 'failed', 'downloaded', 'downloaded', 'checkout_created' ), $m[1] );
		$this->assertSame( array( 'brand_new_event', 'Note', 'Failed', 'Downloaded', 'Downloaded', 'Checkout created' ), $m[2] );
		$this->assertStringContainsString( 'Called the &lt;script&gt;customer&lt;/script&gt;', $html );
		$this->assertStringNotContainsString( '<script>customer', $html );
	}

	public function test_download_log_shows_time_and_ip(): void {
		$this->serve_job();
		$html = $this->render();
		preg_match( '#<div class="smi-card" id="smi-download-log">(.*?)</div>#s', $html, $m );
		preg_match_all( '#<tr class="smi-download"><td><time datetime="([^"]+)"[^>]*>[^<]+</time></td><td><code>([^<]+)</code></td></tr>#', $m[1], $rows );
		$this->assertSame( array( '2026-12-01T10:04:00Z', '2026-12-01T10:03:00Z' ), $rows[1] );
		$this->assertSame( array( '198.51.100.9', '203.0.113.7' ), $rows[2] );
	}

	public function test_dates_use_the_sites_formats(): void {
		update_option( 'date_format', 'j F Y' );
		update_option( 'time_format', 'g:i a' );
		update_option( 'timezone_string', 'America/New_York' );
		$this->serve_job();
		$html = $this->render();
		update_option( 'timezone_string', '' );
		$this->assertStringContainsString( '<time datetime="2026-12-01T10:01:00Z" title="1 December 2026 5:01 am">1 December 2026 5:01 am</time>', $html );
	}

	public function test_never_shows_a_token(): void {
		$this->serve_job( 'test', array( 'download_token' => str_repeat( 'e', 64 ) ) );
		$this->assertStringNotContainsString( str_repeat( 'e', 64 ), $this->render() );
	}

	public function test_invalid_id_and_missing_job_and_daemon_down_are_notices(): void {
		$html = $this->render( 'nope' );
		$this->assertStringContainsString( 'id="smi-invalid-job"', $html );
		$this->assertEmpty( $this->requests );

		$this->respond( fn() => $this->json( 404, array( 'error' => array( 'code' => 'not_found', 'message' => 'job not found' ) ) ) );
		$this->assertStringContainsString( 'No job with this ID exists.', $this->render() );

		$this->respond( fn() => new WP_Error( 'http_request_failed', 'refused' ) );
		$html = $this->render();
		$this->assertStringContainsString( 'id="smi-daemon-error"', $html );
		$this->assertStringContainsString( 'Check that smid is running', $html );
	}
}
