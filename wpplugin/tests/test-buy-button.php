<?php
/**
 * SMI_Buy_Button: shortcode and automatic buttons.
 *
 * @package SellMyImages
 */

class Test_SMI_Buy_Button extends SMI_Test_Case {

	protected function tearDown(): void {
		unset( $GLOBALS['current_screen'], $GLOBALS['post'] );
		parent::tearDown();
	}

	private function on_front( int $post_id ): void {
		$GLOBALS['current_screen'] = WP_Screen::get( 'front' );
		$GLOBALS['post']           = get_post( $post_id );
		setup_postdata( $GLOBALS['post'] );
	}

	/**
	 * A published post with an image attached to it, shown on the front end.
	 *
	 * @param string $content The post's content (%d: the image's id).
	 * @param string $mime    The attachment's type.
	 * @param string $name    Its file name.
	 * @return int[] Post and image.
	 */
	private function post_showing( string $content, string $mime = 'image/jpeg', string $name = 'photo.jpg' ): array {
		$post  = $this->make_post();
		$image = $this->make_attachment( $post, $mime, $name );
		wp_update_post(
			array(
				'ID'           => $post,
				'post_content' => sprintf( $content, $image ),
			)
		);
		$this->on_front( $post );
		return array( $post, $image );
	}

	public function test_shortcode_renders_a_button_for_an_image_of_a_published_post(): void {
		list( $post, $image ) = $this->post_showing( '[smi_buy_button attachment_id="%d" label="<b>Buy</b>"]' );
		$html                 = do_shortcode( '[smi_buy_button attachment_id="' . $image . '" label="<b>Buy</b>"]' );
		$this->assertStringContainsString( 'class="smi-buy-button', $html );
		$this->assertStringContainsString( 'data-attachment-id="' . $image . '"', $html );
		$this->assertStringContainsString( 'data-post-id="' . $post . '"', $html );
		$this->assertStringNotContainsString( '<b>', $html );
		$this->assertTrue( wp_script_is( 'smi-buy-button', 'enqueued' ) );
	}

	public function test_shortcode_renders_nothing_for_a_non_image(): void {
		list( , $pdf ) = $this->post_showing( '[smi_buy_button attachment_id="%d"]', 'application/pdf', 'a.pdf' );
		$this->assertSame( '', do_shortcode( '[smi_buy_button attachment_id="' . $pdf . '"]' ) );
	}

	public function test_image_blocks_get_a_button_only_when_opted_in(): void {
		$block                            = '<!-- wp:image {"id":%1$d} --><figure class="wp-block-image"><img src="x.jpg" class="wp-image-%1$d"/></figure><!-- /wp:image -->';
		list( $post, $image )             = $this->post_showing( $block );
		$block                            = sprintf( $block, $image );
		$GLOBALS['wp_query']->is_singular = true;

		update_option( 'smi_auto_buttons', false );
		$this->assertStringNotContainsString( 'smi-buy-button', do_blocks( $block ) );
		update_option( 'smi_auto_buttons', true );
		$this->assertStringContainsString( 'data-attachment-id="' . $image . '"', do_blocks( $block ) );
		$GLOBALS['wp_query']->is_singular = false;
	}

	public function test_no_button_for_an_image_the_post_does_not_show_and_one_for_a_synced_patterns(): void {
		$image   = $this->make_attachment( 0 );
		$block   = '<!-- wp:image {"id":' . $image . '} --><figure class="wp-block-image"><img src="x.jpg"/></figure><!-- /wp:image -->';
		$pattern = (int) wp_insert_post(
			array(
				'post_title'   => 'Synced banner',
				'post_status'  => 'publish',
				'post_type'    => 'wp_block',
				'post_content' => $block,
			)
		);
		$post    = $this->make_post();
		$this->on_front( $post );
		$GLOBALS['wp_query']->is_singular = true;
		update_option( 'smi_auto_buttons', true );
		// In a template part or a widget: the post does not show it, so a
		// button would only say "not for sale".
		$this->assertStringNotContainsString( 'smi-buy-button', do_blocks( $block ) );
		// The same image in a synced pattern the post shows.
		wp_update_post(
			array(
				'ID'           => $post,
				'post_content' => '<!-- wp:block {"ref":' . $pattern . '} /-->',
			)
		);
		$this->on_front( $post );
		$this->assertStringContainsString( 'data-attachment-id="' . $image . '"', do_blocks( $block ) );
		$GLOBALS['wp_query']->is_singular = false;
	}

	public function test_no_button_in_a_password_protected_post(): void {
		$post  = (int) wp_insert_post(
			array(
				'post_title'    => 'Protected',
				'post_status'   => 'publish',
				'post_password' => 'secret',
				'post_content'  => 'x',
			)
		);
		$image = $this->make_attachment( $post );
		$this->on_front( $post );
		$this->assertSame( '', do_shortcode( '[smi_buy_button attachment_id="' . $image . '"]' ) );
	}
}
