<?php
/**
 * SMI_Daemon_Client: request building and error mapping.
 *
 * @package SellMyImages
 */

class Test_SMI_Daemon_Client extends SMI_Test_Case {

	public function test_get_builds_url_auth_and_timeout(): void {
		$this->respond( fn() => $this->json( 200, array( 'version' => '1.2.3' ) ) );
		$data = $this->client()->get( '/v1/jobs', array( 'status' => 'failed,pending', 'email' => 'a+b@x.com', 'q' => '', 'page' => 2 ) );

		$this->assertSame( array( 'version' => '1.2.3' ), $data );
		$req = $this->last_request();
		$this->assertSame( 'http://127.0.0.1:8787/v1/jobs?status=failed%2Cpending&email=a%2Bb%40x.com&page=2', $req['url'] );
		$this->assertSame( 'GET', $req['args']['method'] );
		$this->assertSame( 'Bearer test-secret', $req['args']['headers']['Authorization'] );
		$this->assertArrayNotHasKey( 'X-SMI-Actor', $req['args']['headers'], 'no actor when nobody is logged in' );
		$this->assertEquals( 10, $req['args']['timeout'] );
		$this->assertSame( 0, $req['args']['redirection'] );
	}

	public function test_the_daemon_is_never_reached_through_the_sites_outbound_proxy(): void {
		new SMI_Daemon_Client( 'http://127.0.0.1:8787', 'secret' );
		$proxy = new WP_HTTP_Proxy();
		$this->assertFalse( $proxy->send_through_proxy( 'http://127.0.0.1:8787/v1/jobs?per_page=20' ), 'the secret would cross the proxy' );
		$this->assertTrue( $proxy->send_through_proxy( 'http://192.0.2.1:8787/' ), 'another host is not the daemon' );
		$this->assertTrue( $proxy->send_through_proxy( 'https://example.org/' ), 'other hosts keep the proxy' );
	}

	public function test_a_socket_url_without_curls_socket_option_is_refused_not_sent_to_localhost(): void {
		$client = new class( 'unix:///run/smid/smid.sock', 'secret' ) extends SMI_Daemon_Client {
			protected function unix_sockets_supported(): bool {
				return false;
			}
		};
		$error  = $client->config_error();
		$this->assertInstanceOf( WP_Error::class, $error );
		$this->assertStringContainsString( 'cURL', $error->get_error_message() );
		$this->assertInstanceOf( WP_Error::class, $client->get( '/v1/system' ) );
		$this->assertSame( array(), $this->requests, 'nothing was sent to http://localhost/' );
		$this->assertNull( ( new SMI_Daemon_Client( 'unix:///run/smid/smid.sock', 'secret' ) )->config_error(), 'this PHP has the option' );
	}

	public function test_actor_header_names_the_current_user(): void {
		$user = $this->login( 'administrator' );
		$this->client()->get( '/v1/system' );
		$this->assertSame( 'wp:' . $user->ID . ':' . $user->user_login, $this->last_request()['args']['headers']['X-SMI-Actor'] );
	}

	public function test_post_sends_json_body_and_custom_timeout_and_headers(): void {
		$this->client()->post( '/v1/jobs/x/refunds', array( 'amount' => 1250, 'reason' => 'dup "charge"' ), array( 'timeout' => 45, 'headers' => array( 'Idempotency-Key' => 'k-123' ) ) );
		$req = $this->last_request();
		$this->assertSame( 'POST', $req['args']['method'] );
		$this->assertSame( 'application/json', $req['args']['headers']['Content-Type'] );
		$this->assertSame( 'k-123', $req['args']['headers']['Idempotency-Key'] );
		$this->assertSame( '{"amount":1250,"reason":"dup \"charge\""}', $req['args']['body'] );
		$this->assertEquals( 45, $req['args']['timeout'] );
	}

	public function test_empty_post_body_is_an_empty_object(): void {
		$this->client()->post( '/v1/jobs/x/email' );
		$this->assertSame( '{}', $this->last_request()['args']['body'] );
	}

	public function test_daemon_error_json_becomes_wp_error_with_code_message_status(): void {
		$this->respond( fn() => $this->json( 409, array( 'error' => array( 'code' => 'conflict', 'message' => 'job is processing', 'param' => 'status' ) ) ) );
		$err = $this->client()->post( '/v1/jobs/x/retry' );
		$this->assertInstanceOf( WP_Error::class, $err );
		$this->assertSame( 'conflict', $err->get_error_code() );
		$this->assertSame( 'job is processing', $err->get_error_message() );
		$this->assertSame( 409, $err->get_error_data()['status'] );
		$this->assertSame( 'status', $err->get_error_data()['param'] );
	}

	public function test_unauthorized_says_what_to_fix(): void {
		$this->respond( fn() => $this->json( 401, array( 'error' => array( 'code' => 'unauthorized', 'message' => 'bad secret' ) ) ) );
		$err = $this->client()->get( '/v1/system' );
		$this->assertSame( 'unauthorized', $err->get_error_code() );
		$this->assertStringContainsString( 'SMI_DAEMON_SECRET', $err->get_error_message() );
	}

	public function test_error_without_json_keeps_the_status(): void {
		$this->respond( fn() => $this->raw( 502, '<html>Bad Gateway</html>' ) );
		$err = $this->client()->get( '/v1/system' );
		$this->assertSame( 'smi_daemon_error', $err->get_error_code() );
		$this->assertSame( 502, $err->get_error_data()['status'] );
	}

	public function test_success_that_is_not_json_is_an_error(): void {
		$this->respond( fn() => $this->raw( 200, 'hello' ) );
		$err = $this->client()->get( '/v1/system' );
		$this->assertSame( 'smi_daemon_bad_response', $err->get_error_code() );
	}

	public function test_connection_failure_is_unreachable_with_advice(): void {
		$this->respond( fn() => new WP_Error( 'http_request_failed', 'cURL error 7: Failed to connect' ) );
		$err = $this->client()->get( '/v1/system' );
		$this->assertSame( 'smi_daemon_unreachable', $err->get_error_code() );
		$this->assertSame( 503, $err->get_error_data()['status'] );
		$this->assertStringContainsString( 'http://127.0.0.1:8787', $err->get_error_message() );
		$this->assertStringContainsString( 'SMI_DAEMON_URL', $err->get_error_message() );
		$this->assertStringContainsString( 'cURL error 7', $err->get_error_message() );
	}

	public function test_real_connection_failure_is_unreachable(): void {
		$this->real_http = true;
		$err             = ( new SMI_Daemon_Client( 'http://127.0.0.1:1', 'test-secret' ) )->get( '/v1/system' );
		$this->assertSame( 'smi_daemon_unreachable', $err->get_error_code() );
	}

	public function test_missing_secret_sends_nothing(): void {
		$err = ( new SMI_Daemon_Client( 'http://127.0.0.1:8787', '' ) )->get( '/v1/system' );
		$this->assertSame( 'smi_not_configured', $err->get_error_code() );
		$this->assertEmpty( $this->requests );
	}

	public function test_unix_socket_url_is_rewritten_to_localhost(): void {
		$this->client( 'unix:///run/smid/smid.sock' )->get( '/v1/system' );
		$req = $this->last_request();
		$this->assertSame( 'http://localhost/v1/system', $req['url'] );
		$this->assertSame( '/run/smid/smid.sock', $req['args']['smi_unix_socket'] );
		$this->assertNotFalse( has_action( 'http_api_curl', array( 'SMI_Daemon_Client', 'apply_unix_socket' ) ) );
	}

	public function test_unix_socket_request_really_goes_through_the_socket(): void {
		if ( ! defined( 'CURLOPT_UNIX_SOCKET_PATH' ) ) {
			$this->markTestSkipped( 'cURL without unix sockets' );
		}
		$sock = sys_get_temp_dir() . '/smi-test-' . getmypid() . '.sock';
		wp_delete_file( $sock );
		$proc = proc_open( array( PHP_BINARY, __DIR__ . '/fixtures/unix-server.php', $sock ), array( 1 => array( 'pipe', 'w' ) ), $pipes );
		for ( $i = 0; $i < 50; $i++ ) {
			if ( file_exists( $sock ) ) {
				break;
			}
			usleep( 50000 );
		}
		$this->real_http = true;
		$data            = $this->client( 'unix://' . $sock )->get( '/v1/system' );
		proc_close( $proc );
		wp_delete_file( $sock );

		$this->assertIsArray( $data, is_wp_error( $data ) ? $data->get_error_message() : '' );
		$this->assertSame( 'GET /v1/system HTTP/1.1', $data['request_line'] );
		$this->assertSame( 'localhost', $data['host'] );
		$this->assertSame( 'Bearer test-secret', $data['authorization'] );
	}

	public function test_stream_delivers_chunks_without_buffering_the_body(): void {
		$client  = $this->fake_daemon_client();
		$status  = null;
		$headers = array();
		$chunks  = array();
		$result  = $client->stream(
			'GET',
			'/v1/downloads/' . str_repeat( 'a', 64 ),
			array(),
			array( 'Range' => 'bytes=0-9' ),
			function ( $s, $h ) use ( &$status, &$headers ) {
				$status  = $s;
				$headers = $h;
			},
			function ( $chunk ) use ( &$chunks ) {
				$chunks[] = $chunk;
				return true;
			}
		);
		$this->assertIsArray( $result );
		$this->assertSame( 206, $status );
		$this->assertSame( 'bytes 0-9/20000', $headers['content-range'] );
		$this->assertSame( 'ABCDEFGHIJ', implode( '', $chunks ) );
	}

	public function test_configured_url_prefers_the_constant(): void {
		$this->assertSame( SMI_DAEMON_URL, SMI_Daemon_Client::configured_url() );
		$this->assertSame( SMI_DAEMON_SECRET, SMI_Daemon_Client::configured_secret() );
	}
}
