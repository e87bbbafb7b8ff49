<?php
/**
 * SMI_Site_Health: the daemon test.
 *
 * @package SellMyImages
 */

class Test_SMI_Site_Health extends SMI_Test_Case {

	private function run_test(): array {
		return ( new SMI_Site_Health( $this->client() ) )->run();
	}

	public function test_is_registered_as_a_direct_test(): void {
		$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
		$this->assertArrayHasKey( 'smi_daemon', $tests['direct'] );
		$this->assertIsCallable( $tests['direct']['smi_daemon']['test'] );
	}

	public function test_good_when_daemon_answers_and_schema_is_current(): void {
		$this->respond( fn() => $this->json( 200, array( 'version' => '1.4.0', 'schema' => array( 'current' => true, 'applied' => 5, 'latest' => 5 ), 'stripe_mode' => 'live', 'currency' => 'usd' ) ) );
		$result = $this->run_test();
		$this->assertStringEndsWith( '/v1/system', $this->requests[0]['url'] );
		$this->assertSame( 'good', $result['status'] );
		$this->assertSame( 'smi_daemon', $result['test'] );
		$this->assertStringContainsString( '1.4.0', $result['label'] );
		$this->assertStringContainsString( 'schema 5 of 5', $result['description'] );
	}

	public function test_critical_with_plain_permalinks(): void {
		update_option( 'permalink_structure', '' );
		$this->respond( fn() => $this->json( 200, array( 'version' => '1.4.0', 'schema' => array( 'current' => true, 'applied' => 5, 'latest' => 5 ), 'stripe_mode' => 'live', 'currency' => 'usd' ) ) );
		$result = $this->run_test();
		$this->assertSame( 'critical', $result['status'] );
		$this->assertStringContainsString( 'pretty permalinks', $result['label'] );
		$this->assertStringContainsString( 'options-permalink.php', $result['actions'] );
	}

	public function test_test_mode_is_a_recommendation(): void {
		$this->respond( fn() => $this->json( 200, array( 'version' => '1.4.0', 'schema' => array( 'current' => true, 'applied' => 5, 'latest' => 5 ), 'stripe_mode' => 'test' ) ) );
		$this->assertSame( 'recommended', $this->run_test()['status'] );
	}

	public function test_critical_when_schema_is_behind(): void {
		$this->respond( fn() => $this->json( 200, array( 'version' => '1.4.0', 'schema' => array( 'current' => false, 'applied' => 3, 'latest' => 5 ), 'stripe_mode' => 'live' ) ) );
		$result = $this->run_test();
		$this->assertSame( 'critical', $result['status'] );
		$this->assertStringContainsString( 'out of date', $result['label'] );
		$this->assertStringContainsString( 'schema 3 of 5', $result['description'] );
	}

	public function test_critical_when_unreachable(): void {
		$this->respond( fn() => new WP_Error( 'http_request_failed', 'Connection refused' ) );
		$result = $this->run_test();
		$this->assertSame( 'critical', $result['status'] );
		$this->assertStringContainsString( 'does not answer', $result['label'] );
		$this->assertStringContainsString( 'Connection refused', $result['description'] );
		$this->assertStringContainsString( 'page=smi-settings', $result['actions'] );
	}

	/**
	 * Answers /v1/system with $system and /v1/prices with $prices.
	 *
	 * @param array      $system  /v1/system fields (merged over a healthy live daemon).
	 * @param array|null $prices  [status, body] of /v1/prices.
	 */
	private function daemon( array $system, ?array $prices = null ): void {
		$system = array_merge( array( 'version' => '1.4.0', 'schema' => array( 'current' => true, 'applied' => 5, 'latest' => 5 ), 'stripe_mode' => 'live', 'currency' => 'eur', 'stripe_dashboard_url' => 'https://dashboard.stripe.com' ), $system );
		$prices = $prices ?? array( 200, array( 'currency' => 'eur', 'prices' => array() ) );
		$this->respond(
			function ( $url ) use ( $system, $prices ) {
				if ( false !== strpos( $url, '/v1/prices' ) ) {
					return $this->json( $prices[0], $prices[1] );
				}
				return $this->json( 200, $system );
			}
		);
	}

	public function test_critical_when_the_daemon_says_stripe_is_not_configured(): void {
		$this->daemon( array( 'stripe_configured' => false, 'upscaler_configured' => true, 'mail_configured' => true ) );
		$result = $this->run_test();
		$this->assertSame( 'critical', $result['status'] );
		$this->assertStringContainsString( 'cannot take orders', $result['label'] );
		$this->assertStringContainsString( 'stripe.secret_key', $result['description'] );
		$this->assertStringNotContainsString( 'upsampler.api_key', $result['description'] );
		$this->assertCount( 1, $this->requests, 'the flags answer it: no probe' );
	}

	public function test_critical_for_each_missing_part(): void {
		$this->daemon( array( 'stripe_configured' => true, 'upscaler_configured' => false, 'mail_configured' => false ) );
		$result = $this->run_test();
		$this->assertSame( 'critical', $result['status'] );
		$this->assertStringContainsString( 'upsampler.api_key', $result['description'] );
		$this->assertStringContainsString( 'mail.smtp_', $result['description'] );
	}

	public function test_good_when_every_part_is_configured(): void {
		$this->daemon( array( 'stripe_configured' => true, 'upscaler_configured' => true, 'mail_configured' => true ) );
		$this->assertSame( 'good', $this->run_test()['status'] );
	}

	public function test_a_daemon_without_the_flags_is_probed_and_its_503_is_critical(): void {
		$this->daemon( array(), array( 503, array( 'error' => array( 'code' => 'unavailable', 'message' => 'the pipeline is not configured: set site.url and the stripe keys' ) ) ) );
		$result = $this->run_test();
		$this->assertSame( 'critical', $result['status'] );
		$this->assertStringContainsString( 'site.url', $result['description'] );
		$this->assertStringContainsString( '/v1/prices?image_width=1000&image_height=1000', $this->requests[1]['url'] );
	}

	public function test_an_unanswered_probe_is_only_a_recommendation(): void {
		$this->daemon( array(), array( 500, array( 'error' => array( 'code' => 'internal', 'message' => 'boom' ) ) ) );
		$result = $this->run_test();
		$this->assertSame( 'recommended', $result['status'] );
		$this->assertStringContainsString( 'could not be checked', $result['description'] );
	}

	public function test_against_the_fake_daemon(): void {
		$result = ( new SMI_Site_Health( $this->fake_daemon_client() ) )->run();
		$this->assertSame( 'recommended', $result['status'], 'the fake daemon prices fine but runs Stripe in test mode' );
		$this->assertStringContainsString( 'fake-1.0', $result['label'] );
	}

	public function test_debug_information_has_the_daemon_facts_and_no_secret(): void {
		$this->daemon( array( 'stripe_configured' => false, 'upscaler_configured' => true, 'mail_configured' => true ) );
		update_option( SMI_Client_IP::OPTION, '10.0.0.0/8' );
		$client = new SMI_Daemon_Client( 'http://user:pw@127.0.0.1:8787', 'a-very-secret-value-1234567890abcdef' );
		$info   = ( new SMI_Site_Health( $client ) )->debug_information( array() );
		$fields = $info['sell-my-images']['fields'];

		$this->assertSame( '1.4.0', $fields['daemon_version']['value'] );
		$this->assertSame( '5/5 current', $fields['daemon_schema']['debug'] );
		$this->assertSame( 'live', $fields['stripe_mode']['value'] );
		$this->assertSame( 'EUR', $fields['currency']['value'] );
		$this->assertSame( 'not configured: stripe', $fields['pipeline']['debug'] );
		$this->assertSame( 'http://127.0.0.1:8787', $fields['daemon_url']['value'] );
		$this->assertSame( 'https://dashboard.stripe.com', $fields['stripe_dashboard']['value'] );
		$this->assertStringContainsString( home_url( '/smi-webhook/stripe/' ), $fields['site_urls']['value'] );
		$this->assertSame( '10.0.0.0/8', $fields['trusted_proxies']['value'] );
		$this->assertSame( SMI_VERSION, $fields['plugin_version']['value'] );

		$all = wp_json_encode( $info );
		$this->assertStringNotContainsString( 'a-very-secret-value', $all );
		$this->assertStringNotContainsString( 'user:pw', $all );
		$this->assertStringNotContainsString( 'test-secret', $all );
	}

	public function test_debug_information_is_hooked_and_reports_an_unreachable_daemon(): void {
		$this->respond( fn() => new WP_Error( 'http_request_failed', 'Connection refused' ) );
		$info = ( new SMI_Site_Health( $this->client() ) )->debug_information( array() );
		$this->assertStringStartsWith( 'unreachable', $info['sell-my-images']['fields']['daemon']['debug'] );
		$this->assertArrayHasKey( 'sell-my-images', apply_filters( 'debug_information', array() ) );
	}
}
