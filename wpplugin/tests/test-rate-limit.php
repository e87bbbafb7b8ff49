<?php
/**
 * The checkout rate limit: keyed on the real client, atomic.
 *
 * @package SellMyImages
 */

class Test_SMI_Rate_Limit extends SMI_Test_Case {

	private int $post;
	private int $image;

	protected function setUp(): void {
		parent::setUp();
		$this->post  = $this->make_post();
		$this->image = $this->make_attachment( $this->post );
		wp_update_post(
			array(
				'ID'           => $this->post,
				'post_content' => '[smi_buy_button attachment_id="' . $this->image . '"]',
			)
		);
		$this->respond( fn() => $this->json( 201, array( 'job_id' => '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc', 'checkout_url' => 'https://checkout.stripe.com/c/pay/cs_test_1' ) ) );
		add_filter( 'smi_checkout_rate_limit', fn() => 3 );
	}

	protected function tearDown(): void {
		remove_all_filters( 'smi_rate_limit_backend' );
		parent::tearDown();
	}

	private function checkout( string $remote, string $forwarded = '' ): int {
		$_SERVER['REMOTE_ADDR'] = $remote;
		unset( $_SERVER['HTTP_X_FORWARDED_FOR'] );
		if ( '' !== $forwarded ) {
			$_SERVER['HTTP_X_FORWARDED_FOR'] = $forwarded;
		}
		$request = new WP_REST_Request( 'POST', '/smi/v1/checkout' );
		$request->set_header( 'content-type', 'application/json' );
		$request->set_body(
			(string) wp_json_encode(
				array(
					'attachment_id' => $this->image,
					'post_id'       => $this->post,
					'resolution'    => '4x',
				)
			)
		);
		return rest_do_request( $request )->get_status();
	}

	private function unique_net(): string {
		return '198.51.' . wp_rand( 0, 255 ) . '.';
	}

	public function test_visitors_behind_a_trusted_proxy_each_have_their_own_budget(): void {
		update_option( SMI_Client_IP::OPTION, "10.0.0.0/8\n" );
		$net = $this->unique_net();
		for ( $i = 0; $i < 3; $i++ ) {
			$this->assertSame( 201, $this->checkout( '10.0.0.5', $net . '1' ) );
		}
		$this->assertSame( 429, $this->checkout( '10.0.0.6', $net . '1' ), 'the same visitor through another proxy node' );
		$this->assertSame( 201, $this->checkout( '10.0.0.5', $net . '2' ), 'another visitor behind the same proxy' );
	}

	public function test_a_forged_forwarded_header_does_not_buy_a_fresh_budget(): void {
		update_option( SMI_Client_IP::OPTION, '10.0.0.0/8' );
		$attacker = $this->unique_net() . '66';
		for ( $i = 0; $i < 3; $i++ ) {
			$this->assertSame( 201, $this->checkout( $attacker, '192.0.2.' . $i ) );
		}
		$this->assertSame( 429, $this->checkout( $attacker, '192.0.2.200' ), 'a direct client is keyed on REMOTE_ADDR whatever it claims' );
		$this->assertSame( 429, $this->checkout( '10.0.0.5', '192.0.2.201, ' . $attacker ), 'forged left entries behind the proxy are ignored' );
	}

	public function test_ipv6_visitors_are_counted_per_slash_64(): void {
		$prefix = sprintf( '2001:db8:%x:%x:', wp_rand( 1, 65535 ), wp_rand( 1, 65535 ) );
		for ( $i = 1; $i <= 3; $i++ ) {
			$this->assertSame( 201, $this->checkout( $prefix . ':' . $i ) );
		}
		$this->assertSame( 429, $this->checkout( $prefix . 'ffff::1' ), 'rotating addresses inside one /64 does not help' );
	}

	public function test_refusal_says_when_to_come_back(): void {
		$ip = $this->unique_net() . '9';
		for ( $i = 0; $i < 3; $i++ ) {
			$this->checkout( $ip );
		}
		$_SERVER['REMOTE_ADDR'] = $ip;
		$request                = new WP_REST_Request( 'POST', '/smi/v1/checkout' );
		$request->set_header( 'content-type', 'application/json' );
		$request->set_body( (string) wp_json_encode( array( 'attachment_id' => $this->image, 'post_id' => $this->post, 'resolution' => '4x' ) ) );
		$response = rest_do_request( $request );
		$data     = $response->get_data();
		$this->assertSame( 429, $response->get_status() );
		$this->assertSame( 'smi_rate_limited', $data['code'] );
		$this->assertGreaterThan( 0, $data['data']['retry_after'] );
		$this->assertLessThanOrEqual( 600, $data['data']['retry_after'] );
		$this->assertSame( (string) $data['data']['retry_after'], $response->get_headers()['Retry-After'] );
	}

	public function test_windows_are_fixed_and_end_on_time(): void {
		$now     = 1_800_000_000;
		$limiter = new SMI_Rate_Limiter(
			function () use ( &$now ) {
				return $now;
			}
		);
		$bucket  = 'clock-' . wp_generate_password( 8, false );
		$this->assertTrue( $limiter->hit( $bucket, 2, 600 )['allowed'] );
		$this->assertTrue( $limiter->hit( $bucket, 2, 600 )['allowed'] );
		$third = $limiter->hit( $bucket, 2, 600 );
		$this->assertFalse( $third['allowed'] );
		$this->assertSame( 3, $third['count'] );
		$this->assertSame( 600 - $now % 600, $third['retry_after'] );
		$now += $third['retry_after'];
		$this->assertTrue( $limiter->hit( $bucket, 2, 600 )['allowed'], 'a new window starts afresh' );
	}

	public function test_object_cache_backend_counts_the_same_way(): void {
		add_filter( 'smi_rate_limit_backend', fn() => 'object-cache' );
		$this->assertSame( 'object-cache', SMI_Rate_Limiter::backend() );
		$limiter = new SMI_Rate_Limiter();
		$bucket  = 'cache-' . wp_generate_password( 8, false );
		$counts  = array();
		for ( $i = 0; $i < 4; $i++ ) {
			$counts[] = $limiter->hit( $bucket, 3, 600 )['count'];
		}
		$this->assertSame( array( 1, 2, 3, 4 ), $counts );
	}

	public function test_options_backend_is_atomic_under_parallel_processes(): void {
		$this->assertSame( 'options', SMI_Rate_Limiter::backend(), 'no persistent object cache on the test site' );
		$bucket = 'parallel-' . wp_generate_password( 12, false );
		$start  = microtime( true ) + 1.5;
		$procs  = array();
		for ( $i = 0; $i < 8; $i++ ) {
			$procs[]   = proc_open(
				array( PHP_BINARY, __DIR__ . '/fixtures/rate-limit-hits.php', getenv( 'SMI_WP_DIR' ), $bucket, '10', '6', (string) $start ),
				array(
					1 => array( 'pipe', 'w' ),
					2 => array( 'pipe', 'w' ),
				),
				$pipes
			);
			$out[ $i ] = $pipes;
		}
		$passed = 0;
		foreach ( $procs as $i => $proc ) {
			$stdout = stream_get_contents( $out[ $i ][1] );
			$stderr = stream_get_contents( $out[ $i ][2] );
			$this->assertSame( 0, proc_close( $proc ), $stderr );
			$passed += (int) trim( $stdout );
		}
		// 48 hits at once on a limit of 10: exactly 10 pass.
		$this->assertSame( 10, $passed );
	}
}
