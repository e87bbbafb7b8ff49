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
		$this->assertStringEndsWith( '/v1/system', $this->last_request()['url'] );
		$this->assertSame( 'good', $result['status'] );
		$this->assertSame( 'smi_daemon', $result['test'] );
		$this->assertStringContainsString( '1.4.0', $result['label'] );
		$this->assertStringContainsString( 'schema 5 of 5', $result['description'] );
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
}
