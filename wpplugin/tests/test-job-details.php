<?php
/**
 * SMI_Job_Details: the details screen.
 *
 * @package SellMyImages
 */

class Test_SMI_Job_Details extends SMI_Test_Case {

	const JOB = '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc';

	private function serve( string $mode = 'test', array $job = array() ): void {
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
			'events'               => array( array( 'id' => 1, 'job_id' => self::JOB, 'at' => '2026-12-01T10:00:00.5Z', 'actor' => 'system', 'type' => 'status_changed', 'from_status' => 'processing', 'to_status' => 'failed', 'message' => 'Upsampler error', 'data' => array() ) ),
			'allowed_status_moves' => array( 'pending', 'bogus' ),
			'credits_estimate'     => 4,
		);
		$this->respond(
			function ( $url ) use ( $detail, $mode ) {
				if ( false !== strpos( $url, '/v1/system' ) ) {
					return $this->json( 200, array( 'version' => '1', 'schema' => array( 'current' => true ), 'stripe_mode' => $mode ) );
				}
				return $this->json( 200, $detail );
			}
		);
	}

	private function render( string $job_id = self::JOB ): string {
		$this->login( 'administrator' );
		ob_start();
		( new SMI_Job_Details( $this->client() ) )->render( $job_id );
		return (string) ob_get_clean();
	}

	public function test_shows_payment_processing_download_refunds_and_timeline(): void {
		$this->serve();
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
		$this->serve( 'live' );
		$this->assertStringContainsString( 'href="https://dashboard.stripe.com/payments/pi_3Abc"', $this->render() );
	}

	public function test_forms_carry_their_own_nonces_and_the_refund_key(): void {
		$this->serve();
		$html = $this->render();
		foreach ( array( 'retry', 'token', 'refund', 'status', 'reconcile' ) as $action ) {
			$this->assertStringContainsString( 'id="smi-' . $action . '-form"', $html );
			$this->assertMatchesRegularExpression( '#<form[^>]+id="smi-' . $action . '-form".*?name="_wpnonce" value="([0-9a-f]+)"#s', $html );
			preg_match( '#<form[^>]+id="smi-' . $action . '-form".*?name="_wpnonce" value="([0-9a-f]+)"#s', $html, $m );
			$this->assertSame( 1, wp_verify_nonce( $m[1], 'smi_' . $action . '::' . self::JOB ), $action );
		}
		$this->assertStringNotContainsString( 'id="smi-email-form"', $html, 'expired token: no resend' );
		$this->assertMatchesRegularExpression( '#name="idempotency_key" value="[0-9a-f-]{36}"#', $html );
		$this->assertStringContainsString( 'name="amount" value="9.99"', $html );
		$this->assertStringContainsString( '<option value="pending">Pending</option>', $html );
		$this->assertStringNotContainsString( 'bogus', $html, 'only known statuses are offered' );
	}

	public function test_never_shows_a_token(): void {
		$this->serve( 'test', array( 'download_token' => str_repeat( 'e', 64 ) ) );
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
