<?php
/**
 * End to end over HTTP: the served test site (SMI_WP_URL) with the fake daemon.
 *
 * Skipped unless scripts/wp/test.sh started the site.
 *
 * @package SellMyImages
 */

class Test_SMI_HTTP extends SMI_Test_Case {

	/**
	 * Cookie jar file of the logged-in admin.
	 *
	 * @var string
	 */
	private static string $jar = '';

	protected function setUp(): void {
		parent::setUp();
		if ( ! getenv( 'SMI_WP_URL' ) ) {
			$this->markTestSkipped( 'SMI_WP_URL not set (run scripts/wp/test.sh)' );
		}
	}

	/**
	 * One HTTP request with curl.
	 *
	 * @param string $method  Method.
	 * @param string $path    Path or absolute URL.
	 * @param string $body    Raw body.
	 * @param array  $headers Header lines.
	 * @param bool   $cookies Send the admin's cookies.
	 * @return array `status`, `headers` (lower-case), `body`.
	 */
	private function http( string $method, string $path, string $body = '', array $headers = array(), bool $cookies = false ): array {
		$url = 0 === strpos( $path, 'http' ) ? $path : getenv( 'SMI_WP_URL' ) . $path;
		$ch  = curl_init( $url );
		$out = array();
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => $method,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HTTPHEADER     => $headers,
				CURLOPT_TIMEOUT        => 20,
				CURLOPT_HEADERFUNCTION => function ( $h, $line ) use ( &$out ) {
					if ( false !== strpos( $line, ':' ) ) {
						list( $k, $v ) = explode( ':', $line, 2 );
						$out[ strtolower( trim( $k ) ) ] = trim( $v );
					}
					return strlen( $line );
				},
			)
		);
		if ( '' !== $body || 'POST' === $method ) {
			curl_setopt( $ch, CURLOPT_POSTFIELDS, $body );
		}
		if ( $cookies ) {
			curl_setopt( $ch, CURLOPT_COOKIEFILE, self::$jar );
			curl_setopt( $ch, CURLOPT_COOKIEJAR, self::$jar );
		}
		$response = (string) curl_exec( $ch );
		$status   = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		return array(
			'status'  => $status,
			'headers' => $out,
			'body'    => $response,
		);
	}

	private function login_admin(): void {
		if ( '' !== self::$jar ) {
			return;
		}
		self::$jar = (string) tempnam( sys_get_temp_dir(), 'smi-jar' );
		$this->http( 'GET', '/wp-login.php', '', array(), true );
		$res = $this->http( 'POST', '/wp-login.php', http_build_query( array( 'log' => 'admin', 'pwd' => 'admin-password', 'testcookie' => '1', 'wp-submit' => 'Log In' ) ), array( 'Content-Type: application/x-www-form-urlencoded' ), true );
		$this->assertSame( 302, $res['status'], 'admin login' );
	}

	public function test_webhook_get_is_405(): void {
		$res = $this->http( 'GET', '/smi-webhook/stripe/' );
		$this->assertSame( 405, $res['status'] );
		$this->assertSame( 'POST', $res['headers']['allow'] );
	}

	public function test_webhook_forwards_raw_body_and_signature(): void {
		$body = "{\"id\":\"evt_1\",\n \"x\": \"Zoë\"}  ";
		$sig  = 't=1,v1=abcdef,v0=123';
		$res  = $this->http( 'POST', '/smi-webhook/stripe/', $body, array( 'Content-Type: application/json', 'Stripe-Signature: ' . $sig ) );
		$this->assertSame( 200, $res['status'], $res['body'] );
		$echo = json_decode( $res['body'], true );
		$this->assertSame( $body, base64_decode( $echo['body_b64'] ) );
		$this->assertSame( $sig, $echo['stripe_signature'] );
		$this->assertSame( 'stripe', $echo['provider'] );
	}

	public function test_webhook_passes_the_daemon_status_through(): void {
		$res = $this->http( 'POST', '/smi-webhook/upsampler/?job=6f1c2e0a-9b8d-4c6e-8f4a-3b2c1d0e9f8a', '{"reject-me":1}', array( 'Content-Type: application/json' ) );
		$this->assertSame( 400, $res['status'] );
		$this->assertSame( 'upsampler', json_decode( $res['body'], true )['provider'] );
	}

	public function test_webhook_oversized_is_413(): void {
		$res = $this->http( 'POST', '/smi-webhook/stripe/', str_repeat( 'x', 1048577 ), array( 'Content-Type: application/json' ) );
		$this->assertSame( 413, $res['status'] );
	}

	public function test_download_streams_with_headers(): void {
		$res = $this->http( 'GET', '/smi-download/' . str_repeat( 'a', 64 ) );
		$this->assertSame( 200, $res['status'] );
		$this->assertSame( 20000, strlen( $res['body'] ) );
		$this->assertSame( 'image/png', $res['headers']['content-type'] );
		$this->assertSame( 'attachment; filename="photo-4x.png"', $res['headers']['content-disposition'] );
		$this->assertSame( 'bytes', $res['headers']['accept-ranges'] );
		$this->assertArrayNotHasKey( 'x-internal', $res['headers'] );
	}

	public function test_download_range_is_206(): void {
		$res = $this->http( 'GET', '/smi-download/' . str_repeat( 'a', 64 ), '', array( 'Range: bytes=100-109' ) );
		$this->assertSame( 206, $res['status'] );
		$this->assertSame( 'bytes 100-109/20000', $res['headers']['content-range'] );
		$this->assertSame( 10, strlen( $res['body'] ) );
	}

	public function test_expired_and_bad_downloads_get_friendly_pages(): void {
		$res = $this->http( 'GET', '/smi-download/' . str_repeat( 'b', 64 ) );
		$this->assertSame( 410, $res['status'] );
		$this->assertStringContainsString( 'This download link has expired. Contact us and we&#039;ll send a new one.', $res['body'] );
		$this->assertSame( 404, $this->http( 'GET', '/smi-download/not-a-token' )['status'] );
	}

	public function test_jobs_screen_lists_jobs_escaped_with_stable_ids(): void {
		$this->login_admin();
		$res = $this->http( 'GET', '/wp-admin/admin.php?page=smi-jobs', '', array(), true );
		$this->assertSame( 200, $res['status'] );
		$html = $res['body'];
		$this->assertStringContainsString( 'id="smi-jobs-table"', $html );
		$this->assertSame( 3, substr_count( $html, 'class="smi-job-row' ) );
		$this->assertStringNotContainsString( '<script>alert(1)</script>', $html );
		$this->assertStringContainsString( 'smi-status-processing', $html );
		$this->assertStringContainsString( 'id="smi-export-csv"', $html );
		$this->assertStringContainsString( 'admin-jobs.js', $html );
		$this->assertStringContainsString( 'name="_wpnonce"', $html );
	}

	public function test_details_screen_and_export(): void {
		$this->login_admin();
		$res = $this->http( 'GET', '/wp-admin/admin.php?page=smi-jobs&job=33333333-3333-4333-8333-333333333333', '', array(), true );
		$this->assertSame( 200, $res['status'] );
		$this->assertStringContainsString( 'id="smi-refund-form"', $res['body'] );
		$this->assertStringContainsString( 'id="smi-refund-history"', $res['body'] );
		$this->assertStringContainsString( 'https://dashboard.stripe.com/test/payments/pi_789', $res['body'] );

		preg_match( '#id="smi-export-csv"|href="([^"]+action=smi_export[^"]*)"#', $this->http( 'GET', '/wp-admin/admin.php?page=smi-jobs&status=failed', '', array(), true )['body'], $m );
		$this->assertNotEmpty( $m[1] ?? '' );
		$csv = $this->http( 'GET', html_entity_decode( $m[1] ), '', array(), true );
		$this->assertSame( 200, $csv['status'] );
		$this->assertStringStartsWith( 'text/csv', $csv['headers']['content-type'] );
		$this->assertStringContainsString( 'status=failed', $csv['body'] );
	}

	public function test_row_action_is_post_redirect_get(): void {
		$this->login_admin();
		$html = $this->http( 'GET', '/wp-admin/admin.php?page=smi-jobs', '', array(), true )['body'];
		$this->assertSame( 1, preg_match( '#href="([^"]+action=smi_reconcile[^"]+)"#', $html, $m ) );
		$res = $this->http( 'GET', html_entity_decode( $m[1] ), '', array(), true );
		$this->assertSame( 302, $res['status'] );
		$this->assertStringContainsString( 'page=smi-jobs', $res['headers']['location'] );
		$next = $this->http( 'GET', $res['headers']['location'], '', array(), true );
		$this->assertStringContainsString( 'Reconciled with Stripe', $next['body'] );
		$again = $this->http( 'GET', $res['headers']['location'], '', array(), true );
		$this->assertStringNotContainsString( 'Reconciled with Stripe', $again['body'], 'a reload shows nothing again' );
	}

	public function test_anonymous_cannot_run_actions(): void {
		$res = $this->http( 'GET', '/wp-admin/admin-post.php?action=smi_reconcile&job_id=33333333-3333-4333-8333-333333333333&_wpnonce=x' );
		$this->assertNotSame( 200, $res['status'] );
	}
}
