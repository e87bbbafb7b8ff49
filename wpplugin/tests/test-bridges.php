<?php
/**
 * SMI_Bridges: webhook forwarding and downloads.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/test-job-actions.php';

class Test_SMI_Bridges extends SMI_Test_Case {

	private function bridges( ?SMI_Daemon_Client $client = null, ?SMI_Passthrough $relay = null ): SMI_Bridges {
		$client = $client ?? $this->client();
		return new SMI_Bridges( $client, $relay ?? new SMI_Test_Relay( $client ) );
	}

	public function test_stripe_webhook_forwards_raw_body_and_signature_unchanged(): void {
		$body      = "{\n  \"id\": \"evt_1\",  \"amount\": 1299,\n \"name\": \"Zoë \\u00e9\" }\r\n";
		$signature = 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=abc';
		$this->respond( fn() => $this->raw( 200, '{"received":true}', array( 'content-type' => 'application/json' ) ) );

		$answer = $this->bridges()->handle_webhook( 'stripe', 'POST', $body, array( 'content-type' => 'application/json; charset=utf-8', 'stripe-signature' => $signature, 'cookie' => 'secret' ) );

		$req = $this->last_request();
		$this->assertSame( 'http://127.0.0.1:8787/v1/webhooks/stripe', $req['url'] );
		$this->assertSame( 'POST', $req['args']['method'] );
		$this->assertSame( $body, $req['args']['body'], 'raw body byte for byte' );
		$this->assertSame( $signature, $req['args']['headers']['Stripe-Signature'] );
		$this->assertSame( 'application/json; charset=utf-8', $req['args']['headers']['Content-Type'] );
		$this->assertSame( 'Bearer test-secret', $req['args']['headers']['Authorization'] );
		$this->assertArrayNotHasKey( 'cookie', array_change_key_case( $req['args']['headers'] ) );
		$this->assertSame( 200, $answer['status'] );
		$this->assertSame( '{"received":true}', $answer['body'] );
	}

	public function test_daemon_status_and_body_are_passed_through(): void {
		$this->respond( fn() => $this->raw( 400, '{"error":{"code":"invalid","message":"bad signature"}}', array( 'content-type' => 'application/json' ) ) );
		$answer = $this->bridges()->handle_webhook( 'stripe', 'POST', '{}', array( 'stripe-signature' => 'x' ) );
		$this->assertSame( 400, $answer['status'] );
		$this->assertSame( '{"error":{"code":"invalid","message":"bad signature"}}', $answer['body'] );
	}

	public function test_upsampler_webhook_without_job_id_is_refused(): void {
		$answer = $this->bridges()->handle_webhook( 'upsampler', 'POST', '{"id":"u1"}', array(), '../etc' );
		$this->assertSame( 400, $answer['status'] );
	}

	public function test_upsampler_webhook_goes_to_its_endpoint(): void {
		$job = '6f1c2e0a-9b8d-4c6e-8f4a-3b2c1d0e9f8a';
		$this->bridges()->handle_webhook( 'upsampler', 'POST', '{"id":"u1"}', array( 'content-type' => 'application/json', 'stripe-signature' => 'not-for-upsampler' ), $job );
		$req = $this->last_request();
		$this->assertSame( 'http://127.0.0.1:8787/v1/webhooks/upsampler?job=' . $job, $req['url'] );
		$this->assertSame( '{"id":"u1"}', $req['args']['body'] );
		$this->assertArrayNotHasKey( 'Stripe-Signature', $req['args']['headers'] );
	}

	public function test_get_is_refused_with_405(): void {
		$answer = $this->bridges()->handle_webhook( 'stripe', 'GET', '', array() );
		$this->assertSame( 405, $answer['status'] );
		$this->assertSame( 'POST', $answer['headers']['Allow'] );
		$this->assertEmpty( $this->requests );
	}

	public function test_oversized_body_is_refused_with_413(): void {
		$answer = $this->bridges()->handle_webhook( 'stripe', 'POST', str_repeat( 'x', SMI_Bridges::MAX_WEBHOOK_BYTES + 1 ), array() );
		$this->assertSame( 413, $answer['status'] );
		$answer = $this->bridges()->handle_webhook( 'stripe', 'POST', '{}', array( 'content-length' => (string) ( 5 * 1048576 ) ) );
		$this->assertSame( 413, $answer['status'] );
		$this->assertEmpty( $this->requests );
		$this->assertSame( 200, $this->bridges()->handle_webhook( 'stripe', 'POST', str_repeat( 'x', SMI_Bridges::MAX_WEBHOOK_BYTES ), array() )['status'] );
	}

	public function test_daemon_down_answers_503_so_the_sender_retries(): void {
		$this->respond( fn() => new WP_Error( 'http_request_failed', 'refused' ) );
		$log    = ini_set( 'error_log', '/dev/null' );
		$answer = $this->bridges()->handle_webhook( 'stripe', 'POST', '{}', array() );
		ini_set( 'error_log', (string) $log );
		$this->assertSame( 503, $answer['status'] );
		$this->assertStringNotContainsString( '8787', $answer['body'], 'no internals to the public' );
	}

	public function test_download_with_a_malformed_token_is_a_404_page(): void {
		try {
			$this->bridges()->serve_download( 'not-a-token', 'GET', '', '1.2.3.4' );
			$this->fail( 'expected wp_die' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 404, $die->status );
			$this->assertStringContainsString( 'not valid', $die->getMessage() );
		}
		$this->assertEmpty( $this->requests );
	}

	public function test_download_streams_file_and_whitelisted_headers(): void {
		$client = $this->fake_daemon_client();
		$relay  = new SMI_Test_Relay( $client );
		ob_start();
		$this->bridges( $client, $relay )->serve_download( str_repeat( 'a', 64 ), 'GET', '', '1.2.3.4' );
		$body = (string) ob_get_clean();
		$this->assertSame( 200, $relay->status );
		$this->assertSame( 20000, strlen( $body ) );
		$this->assertSame( 'ABCDE', substr( $body, 0, 5 ) );
		$this->assertContains( 'Content-Type: image/png', $relay->headers );
		$this->assertContains( 'Content-Length: 20000', $relay->headers );
		$this->assertContains( 'Content-Disposition: attachment; filename="photo-4x.png"', $relay->headers );
		$this->assertContains( 'Accept-Ranges: bytes', $relay->headers );
		$this->assertEmpty( preg_grep( '/X-Internal/i', $relay->headers ), 'only whitelisted headers pass' );
	}

	public function test_download_from_object_storage_passes_the_redirect_on(): void {
		$client = $this->fake_daemon_client();
		$relay  = new SMI_Test_Relay( $client );
		ob_start();
		$this->bridges( $client, $relay )->serve_download( str_repeat( 'e', 64 ), 'GET', '', '1.2.3.4' );
		$body = (string) ob_get_clean();
		$this->assertSame( 302, $relay->status, 'the browser is sent on, not streamed to' );
		$this->assertContains( 'Location: http://objects.example.test/bucket/ab/photo.png?X-Amz-Signature=abc', $relay->headers );
		$this->assertContains( 'Cache-Control: private, no-store', $relay->headers );
		$this->assertEmpty( preg_grep( '/X-Internal/i', $relay->headers ), 'only whitelisted headers pass' );
		$this->assertSame( '', $body );
	}

	public function test_download_range_gives_206(): void {
		$client = $this->fake_daemon_client();
		$relay  = new SMI_Test_Relay( $client );
		ob_start();
		$this->bridges( $client, $relay )->serve_download( str_repeat( 'a', 64 ), 'GET', 'bytes=26-30', '1.2.3.4' );
		$body = (string) ob_get_clean();
		$this->assertSame( 206, $relay->status );
		$this->assertSame( 'ABCDE', $body );
		$this->assertContains( 'Content-Range: bytes 26-30/20000', $relay->headers );
	}

	public function test_download_passes_client_ip_and_range(): void {
		$client = $this->fake_daemon_client();
		$relay  = new SMI_Test_Relay( $client );
		ob_start();
		$this->bridges( $client, $relay )->serve_download( str_repeat( 'c', 64 ), 'GET', 'bytes=0-1', '203.0.113.7' );
		$echo = json_decode( (string) ob_get_clean(), true );
		$this->assertSame( '203.0.113.7', $echo['client_ip'] );
		$this->assertSame( 'bytes=0-1', $echo['range'] );
	}

	public function test_expired_download_is_a_friendly_410_page(): void {
		$client = $this->fake_daemon_client();
		try {
			$this->bridges( $client )->serve_download( str_repeat( 'b', 64 ), 'GET', '', '1.2.3.4' );
			$this->fail( 'expected wp_die' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 410, $die->status );
			$this->assertStringContainsString( 'This download link has expired. Contact us and we&#039;ll send a new one.', $die->getMessage() );
		}
	}

	public function test_unknown_download_is_a_404_page(): void {
		$client = $this->fake_daemon_client();
		try {
			$this->bridges( $client )->serve_download( str_repeat( 'd', 64 ), 'GET', '', '1.2.3.4' );
			$this->fail( 'expected wp_die' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 404, $die->status );
		}
	}

	public function test_download_with_daemon_down_is_a_503_page(): void {
		$this->real_http = true;
		$client          = new SMI_Daemon_Client( 'http://127.0.0.1:1', 'test-secret' );
		$log             = ini_set( 'error_log', '/dev/null' );
		try {
			$this->bridges( $client )->serve_download( str_repeat( 'a', 64 ), 'GET', '', '1.2.3.4' );
			$this->fail( 'expected wp_die' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 503, $die->status );
		} finally {
			ini_set( 'error_log', (string) $log );
		}
	}

	public function test_the_original_plugins_token_is_forwarded_unchanged(): void {
		$client = $this->fake_daemon_client();
		$relay  = new SMI_Test_Relay( $client );
		$token  = 'Xq7LmP2vR9tKzW4nB8cJ3hF6yD1sG5aE0uQiOoNpMrTlVkHjZxCbYwAeSdUfIgh2';
		ob_start();
		$this->bridges( $client, $relay )->serve_download( $token, 'GET', 'bytes=0-9', '1.2.3.4' );
		$echo = json_decode( (string) ob_get_clean(), true );
		$this->assertSame( 200, $relay->status );
		$this->assertSame( $token, $echo['token'], 'letters and digits, case kept' );
		$this->assertSame( 'bytes=0-9', $echo['range'] );
	}

	public function test_tokens_outside_the_daemons_bounds_are_refused_here(): void {
		foreach ( array( str_repeat( 'A', 15 ), str_repeat( 'A', 129 ), 'Xq7LmP2vR9tKzW4n-B8cJ3hF6yD1sG5a', str_repeat( 'a', 63 ) . '/' ) as $token ) {
			try {
				$this->bridges()->serve_download( $token, 'GET', '', '1.2.3.4' );
				$this->fail( 'expected wp_die for ' . $token );
			} catch ( SMI_Test_Die $die ) {
				$this->assertSame( 404, $die->status );
			}
		}
		$this->assertEmpty( $this->requests );
	}

	public function test_the_original_rest_download_route_is_public_get_and_head(): void {
		$routes = rest_get_server()->get_routes();
		$route  = '/smi/v1/download/(?P<token>[A-Za-z0-9]+)';
		$this->assertArrayHasKey( $route, $routes );
		$handler = $routes[ $route ][0];
		$this->assertEqualsCanonicalizing( array( 'GET', 'HEAD' ), array_keys( array_filter( $handler['methods'] ) ) );
		$this->assertSame( '__return_true', $handler['permission_callback'] );
		$this->assertInstanceOf( SMI_Bridges::class, $handler['callback'][0] );
		$this->assertSame( 'rest_download', $handler['callback'][1] );
	}

	public function test_the_rest_route_serves_as_smi_download_does(): void {
		$client = $this->fake_daemon_client();
		$relay  = new SMI_Test_Relay( $client );
		$token  = 'Xq7LmP2vR9tKzW4nB8cJ3hF6yD1sG5aE0uQiOoNpMrTlVkHjZxCbYwAeSdUfIgh2';
		$req    = new WP_REST_Request( 'GET', '/smi/v1/download/' . $token );
		$req->set_url_params( array( 'token' => $token ) );
		$_SERVER['HTTP_RANGE'] = 'bytes=5-';
		// Behind a CDN the site trusts: the download log shows the visitor.
		update_option( 'smi_trusted_proxies', '10.0.0.0/8' );
		$_SERVER['REMOTE_ADDR']          = '10.1.2.3';
		$_SERVER['HTTP_X_FORWARDED_FOR'] = '198.51.100.9';
		$bridges                         = new class( $client, $relay ) extends SMI_Bridges {
			protected function end_request(): void {
				throw new RuntimeException( 'ended' );
			}
		};
		ob_start();
		try {
			$bridges->rest_download( $req );
			$this->fail( 'the request must end after the download' );
		} catch ( RuntimeException $e ) {
			$this->assertSame( 'ended', $e->getMessage() );
		} finally {
			$out = (string) ob_get_clean();
			unset( $_SERVER['HTTP_RANGE'] );
		}
		$echo = json_decode( $out, true );
		$this->assertSame( 200, $relay->status );
		$this->assertSame( $token, $echo['token'] );
		$this->assertSame( 'bytes=5-', $echo['range'], 'Range passed through' );
		$this->assertSame( '198.51.100.9', $echo['client_ip'], 'the visitor, not the CDN' );
		$this->assertSame( 'GET', $echo['method'] );
	}

	public function test_rewrite_rules_and_query_vars_are_registered(): void {
		$rules = get_option( 'rewrite_rules' );
		$this->assertSame( 'index.php?smi_webhook=$matches[1]', $rules['^smi-webhook/(stripe|upsampler)/?$'] );
		$this->assertSame( 'index.php?smi_download=$matches[1]', $rules['^smi-download/([^/]+)/?$'] );
		$vars = apply_filters( 'query_vars', array() );
		$this->assertContains( 'smi_webhook', $vars );
		$this->assertContains( 'smi_download', $vars );
	}
}
