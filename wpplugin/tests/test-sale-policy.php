<?php
/**
 * SMI_Sale_Policy through the public REST routes: only images a published,
 * open post shows are priced and sold.
 *
 * @package SellMyImages
 */

class Test_SMI_Sale_Policy extends SMI_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$_SERVER['REMOTE_ADDR'] = '198.51.100.' . wp_rand( 1, 250 );
		$this->respond(
			function ( $url ) {
				if ( false !== strpos( $url, '/v1/prices' ) ) {
					return $this->json( 200, array( 'currency' => 'usd', 'prices' => array( array( 'resolution' => '4x', 'amount' => 499, 'output_width' => 16000, 'output_height' => 12000 ) ) ) );
				}
				return $this->json( 201, array( 'job_id' => '0b6f3c9e-1d2a-4c5b-8e7f-123456789abc', 'checkout_url' => 'https://checkout.stripe.com/c/pay/cs_test_1' ) );
			}
		);
	}

	private function post_with( string $content, array $extra = array() ): int {
		return (int) wp_insert_post(
			array_merge(
				array(
					'post_title'   => 'Gallery',
					'post_status'  => 'publish',
					'post_type'    => 'post',
					'post_content' => $content,
				),
				$extra
			)
		);
	}

	/**
	 * Both routes' statuses for an image offered by a post.
	 *
	 * @param int $image Attachment ID.
	 * @param int $post  Post ID.
	 * @return int[] prices status, checkout status.
	 */
	private function statuses( int $image, int $post ): array {
		$prices = new WP_REST_Request( 'GET', '/smi/v1/prices' );
		$prices->set_query_params(
			array(
				'attachment_id' => $image,
				'post_id'       => $post,
			)
		);
		$checkout = new WP_REST_Request( 'POST', '/smi/v1/checkout' );
		$checkout->set_header( 'content-type', 'application/json' );
		$checkout->set_body(
			(string) wp_json_encode(
				array(
					'attachment_id' => $image,
					'post_id'       => $post,
					'resolution'    => '4x',
				)
			)
		);
		return array( rest_do_request( $prices )->get_status(), rest_do_request( $checkout )->get_status() );
	}

	public function test_an_image_the_post_shows_is_for_sale_in_every_way_a_post_shows_one(): void {
		$ways = array(
			'image block'        => fn( $id ) => '<!-- wp:image {"id":' . $id . '} --><figure class="wp-block-image"><img src="x.jpg"/></figure><!-- /wp:image -->',
			'gallery block'      => fn( $id ) => '<!-- wp:gallery {"linkTo":"none"} --><figure class="wp-block-gallery"><!-- wp:image {"id":' . $id . '} --><figure class="wp-block-image"><img src="x.jpg"/></figure><!-- /wp:image --></figure><!-- /wp:gallery -->',
			'cover block'        => fn( $id ) => '<!-- wp:cover {"id":' . $id . '} --><div class="wp-block-cover"></div><!-- /wp:cover -->',
			'media-text block'   => fn( $id ) => '<!-- wp:media-text {"mediaId":' . $id . '} --><div class="wp-block-media-text"></div><!-- /wp:media-text -->',
			'classic class'      => fn( $id ) => '<img src="y.jpg" class="alignnone size-medium wp-image-' . $id . '" />',
			'gallery shortcode'  => fn( $id ) => '[gallery ids="1,' . $id . ',3"]',
			'buy button'         => fn( $id ) => 'Buy it: [smi_buy_button attachment_id="' . $id . '"]',
			'file URL, any host' => fn( $id ) => '<img src="https://cdn.example/wp-content/uploads/2026/12/shown-' . $id . '.jpg" />',
			'synced pattern'     => fn( $id ) => '<!-- wp:block {"ref":' . $this->post_with( '<!-- wp:image {"id":' . $id . '} --><figure class="wp-block-image"><img src="x.jpg"/></figure><!-- /wp:image -->', array( 'post_type' => 'wp_block' ) ) . '} /-->',
		);
		foreach ( $ways as $way => $content ) {
			$image = $this->make_attachment( 0, 'image/jpeg', 'shown-' . wp_generate_password( 6, false ) . '.jpg' );
			$file  = get_post_meta( $image, '_wp_attached_file', true );
			$html  = str_replace( 'shown-' . $image . '.jpg', basename( $file ), $content( $image ) );
			$post  = $this->post_with( $html );
			$this->assertSame( array( 200, 201 ), $this->statuses( $image, $post ), $way );
		}
	}

	public function test_a_featured_image_is_for_sale(): void {
		$image = $this->make_attachment( 0 );
		$post  = $this->post_with( 'No image in the text.' );
		$this->assertSame( array( 400, 400 ), $this->statuses( $image, $post ), 'not shown yet' );
		set_post_thumbnail( $post, $image );
		$this->assertSame( array( 200, 201 ), $this->statuses( $image, $post ) );
	}

	public function test_an_image_the_post_does_not_show_is_refused(): void {
		$shown  = $this->make_attachment( 0, 'image/jpeg', 'shown.jpg' );
		$hidden = $this->make_attachment( 0, 'image/jpeg', 'hidden.jpg' );
		$post   = $this->post_with( '<img src="/wp-content/uploads/2026/12/shown.jpg" class="wp-image-' . $shown . '" /> wp-image-' . $hidden . '0 /2026/12/not-hidden.jpg' );
		$this->assertSame( array( 200, 201 ), $this->statuses( $shown, $post ) );
		$this->assertSame( array( 400, 400 ), $this->statuses( $hidden, $post ), 'an unattached upload the post never shows' );
		$this->assertSame( array( 400, 400 ), $this->statuses( $shown, 0 ), 'no post, no sale' );
	}

	public function test_password_protected_posts_sell_nothing(): void {
		$image = $this->make_attachment( 0 );
		$post  = $this->post_with( '[smi_buy_button attachment_id="' . $image . '"]', array( 'post_password' => 'secret' ) );
		$this->assertSame( array( 400, 400 ), $this->statuses( $image, $post ) );

		$gallery = $this->post_with( 'private gallery', array( 'post_password' => 'secret' ) );
		$inside  = $this->make_attachment( $gallery );
		$open    = $this->post_with( '[smi_buy_button attachment_id="' . $inside . '"]' );
		$this->assertSame( array( 400, 400 ), $this->statuses( $inside, $open ), 'an image attached to a protected post stays private' );
	}

	public function test_refusals_never_reach_the_daemon_and_say_only_not_for_sale(): void {
		$image = $this->make_attachment( 0 );
		$post  = $this->post_with( 'nothing' );
		$req   = new WP_REST_Request( 'GET', '/smi/v1/prices' );
		$req->set_query_params(
			array(
				'attachment_id' => $image,
				'post_id'       => $post,
			)
		);
		$res = rest_do_request( $req );
		$this->assertSame( 'This image is not for sale.', $res->get_data()['message'] );
		$this->assertEmpty( $this->requests );
	}

	public function test_prices_need_the_offering_post(): void {
		$req = new WP_REST_Request( 'GET', '/smi/v1/prices' );
		$req->set_query_params( array( 'attachment_id' => $this->make_attachment( 0 ) ) );
		$this->assertSame( 400, rest_do_request( $req )->get_status() );
		$this->assertEmpty( $this->requests );
	}
}
