<?php
/**
 * SMI_REST: prices, checkout, public job status.
 *
 * @package SellMyImages
 */

class Test_SMI_REST extends SMI_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$_SERVER['REMOTE_ADDR'] = '198.51.100.' . wp_rand( 1, 250 );
	}

	private function call( string $method, string $route, array $params = array() ): WP_REST_Response {
		$request = new WP_REST_Request( $method, '/smi/v1' . $route );
		if ( 'GET' === $method ) {
			$request->set_query_params( $params );
		} else {
			$request->set_header( 'content-type', 'application/json' );
			$request->set_body( (string) wp_json_encode( $params ) );
		}
		return rest_do_request( $request );
	}

	/**
	 * A published post showing a new image in an image block.
	 *
	 * @return int[] Post ID, attachment ID.
	 */
	private function product(): array {
		$post  = $this->make_post();
		$image = $this->make_attachment( $post );
		$this->show( $post, '<!-- wp:image {"id":' . $image . '} --><figure class="wp-block-image"><img src="' . wp_get_attachment_url( $image ) . '" class="wp-image-' . $image . '"/></figure><!-- /wp:image -->' );
		return array( $post, $image );
	}

	private function show( int $post, string $content ): void {
		wp_update_post(
			array(
				'ID'           => $post,
				'post_content' => $content,
			)
		);
	}

	private function checkout_ok(): void {
		$this->respond( fn() => $this->json( 201, array( 'job_id' => '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc', 'checkout_url' => 'https://checkout.stripe.com/c/pay/cs_test_1', 'amount' => 499, 'currency' => 'usd' ) ) );
	}

	public function test_routes_are_public_but_registered_explicitly(): void {
		$routes = rest_get_server()->get_routes( 'smi/v1' );
		$this->assertArrayHasKey( '/smi/v1/prices', $routes );
		$this->assertArrayHasKey( '/smi/v1/checkout', $routes );
		$this->assertArrayHasKey( '/smi/v1/jobs/(?P<job_id>[0-9a-f-]{36})/status', $routes );
		$this->assertSame( '__return_true', $routes['/smi/v1/checkout'][0]['permission_callback'] );
	}

	public function test_prices_derive_the_size_and_hide_costs(): void {
		list( $post, $image ) = $this->product();
		$this->respond( fn() => $this->json( 200, array( 'currency' => 'usd', 'prices' => array( array( 'resolution' => '4x', 'amount' => 499, 'credits' => 4, 'cost' => 40, 'output_width' => 16000, 'output_height' => 12000 ) ) ) ) );
		$res = $this->call( 'GET', '/prices', array( 'attachment_id' => $image, 'post_id' => $post, 'image_width' => 99999 ) );

		$this->assertSame( 200, $res->get_status() );
		$this->assertSame( SMI_DAEMON_URL . '/v1/prices?image_width=4000&image_height=3000', $this->last_request()['url'] );
		$data = $res->get_data();
		$this->assertSame( '$4.99', $data['prices'][0]['amount_display'] );
		$this->assertArrayNotHasKey( 'cost', $data['prices'][0] );
		$this->assertArrayNotHasKey( 'credits', $data['prices'][0] );
	}

	public function test_checkout_derives_url_and_size_from_the_media_library(): void {
		list( $post, $image ) = $this->product();
		$this->checkout_ok();
		$res = $this->call(
			'POST',
			'/checkout',
			array(
				'attachment_id' => $image,
				'post_id'       => $post,
				'resolution'    => '4x',
				'email'         => 'buyer@example.com',
				'image_url'     => 'https://evil.example/other.jpg',
				'image_width'   => 1,
			)
		);
		$this->assertSame( 201, $res->get_status(), wp_json_encode( $res->get_data() ) );
		$this->assertSame( array( 'checkout_url' => 'https://checkout.stripe.com/c/pay/cs_test_1', 'job_id' => '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc' ), $res->get_data() );

		$req  = $this->last_request();
		$body = $this->body_of( $req );
		$this->assertSame( SMI_DAEMON_URL . '/v1/checkouts', $req['url'] );
		$this->assertSame( wp_get_attachment_url( $image ), $body['image_url'] );
		$this->assertSame( 4000, $body['image_width'] );
		$this->assertSame( 3000, $body['image_height'] );
		$this->assertSame( $post, $body['post_id'] );
		$this->assertSame( $image, $body['attachment_id'] );
		$this->assertSame( '4x', $body['resolution'] );
		$this->assertSame( 'buyer@example.com', $body['email'] );
		$this->assertStringStartsWith( get_permalink( $post ), $body['success_url'] );
		$this->assertStringContainsString( 'smi_checkout=success', $body['success_url'] );
		$this->assertStringContainsString( 'smi_checkout=cancel', $body['cancel_url'] );
	}

	public function test_checkout_refuses_a_non_image(): void {
		$post = $this->make_post();
		$pdf  = $this->make_attachment( $post, 'application/pdf', 'terms.pdf' );
		$this->show( $post, '[smi_buy_button attachment_id="' . $pdf . '"]' );
		$res = $this->call( 'POST', '/checkout', array( 'attachment_id' => $pdf, 'post_id' => $post, 'resolution' => '4x' ) );
		$this->assertSame( 400, $res->get_status() );
		$this->assertEmpty( $this->requests );
	}

	public function test_checkout_refuses_an_unpublished_post(): void {
		$draft = $this->make_post( 'draft' );
		$image = $this->make_attachment( $draft );
		$this->show( $draft, '[smi_buy_button attachment_id="' . $image . '"]' );
		$res = $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $draft, 'resolution' => '4x' ) );
		$this->assertSame( 400, $res->get_status() );

		$public = $this->make_post();
		$this->show( $public, '[smi_buy_button attachment_id="' . $image . '"]' );
		$res = $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $public, 'resolution' => '4x' ) );
		$this->assertSame( 400, $res->get_status(), 'an image of a draft is not for sale even from a published post' );

		$private = $this->make_post( 'private' );
		$res     = $this->call( 'POST', '/checkout', array( 'attachment_id' => $this->make_attachment( $public ), 'post_id' => $private, 'resolution' => '4x' ) );
		$this->assertSame( 400, $res->get_status() );
		$this->assertEmpty( $this->requests );
	}

	public function test_checkout_validates_email_and_resolution(): void {
		list( $post, $image ) = $this->product();
		$this->assertSame( 400, $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $post, 'resolution' => '4x', 'email' => 'not an email' ) )->get_status() );
		$this->assertSame( 400, $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $post, 'resolution' => '../x' ) )->get_status() );
		$this->assertSame( 400, $this->call( 'POST', '/checkout', array( 'attachment_id' => 'abc', 'post_id' => $post, 'resolution' => '4x' ) )->get_status() );
		$this->assertEmpty( $this->requests );
	}

	public function test_checkout_is_rate_limited_per_ip(): void {
		list( $post, $image ) = $this->product();
		$this->checkout_ok();
		for ( $i = 0; $i < 10; $i++ ) {
			$this->assertSame( 201, $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $post, 'resolution' => '4x' ) )->get_status() );
		}
		$res = $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $post, 'resolution' => '4x' ) );
		$this->assertSame( 429, $res->get_status() );
		$this->assertCount( 10, $this->requests );

		$_SERVER['REMOTE_ADDR'] = '192.0.2.99';
		$this->assertSame( 201, $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $post, 'resolution' => '4x' ) )->get_status(), 'another IP has its own budget' );
	}

	public function test_daemon_down_is_a_generic_503(): void {
		list( $post, $image ) = $this->product();
		$this->respond( fn() => new WP_Error( 'http_request_failed', 'refused' ) );
		$log = ini_set( 'error_log', '/dev/null' );
		$res = $this->call( 'POST', '/checkout', array( 'attachment_id' => $image, 'post_id' => $post, 'resolution' => '4x' ) );
		ini_set( 'error_log', (string) $log );
		$this->assertSame( 503, $res->get_status() );
		$this->assertStringNotContainsString( '8787', wp_json_encode( $res->get_data() ) );
	}

	public function test_job_status_returns_only_public_fields(): void {
		$id = '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc';
		$this->respond( fn() => $this->json( 200, array( 'job_id' => $id, 'status' => 'completed', 'payment_status' => 'paid', 'resolution' => '4x', 'download_ready' => true, 'email' => 'leak@example.com' ) ) );
		$res = $this->call( 'GET', '/jobs/' . $id . '/status' );
		$this->assertSame( 200, $res->get_status() );
		$this->assertSame( SMI_DAEMON_URL . '/v1/jobs/' . $id . '/public', $this->last_request()['url'] );
		$this->assertSame( array( 'job_id', 'status', 'payment_status', 'resolution', 'download_ready' ), array_keys( $res->get_data() ) );
	}

	public function test_job_status_refuses_a_malformed_id(): void {
		$res = $this->call( 'GET', '/jobs/------------------------------------/status' );
		$this->assertSame( 400, $res->get_status() );
		$this->assertEmpty( $this->requests );
	}
}
