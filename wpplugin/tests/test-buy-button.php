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

	public function test_shortcode_renders_a_button_for_an_image_of_a_published_post(): void {
		$post  = $this->make_post();
		$image = $this->make_attachment( $post );
		$this->on_front( $post );
		$html = do_shortcode( '[smi_buy_button attachment_id="' . $image . '" label="<b>Buy</b>"]' );
		$this->assertStringContainsString( 'class="smi-buy-button', $html );
		$this->assertStringContainsString( 'data-attachment-id="' . $image . '"', $html );
		$this->assertStringContainsString( 'data-post-id="' . $post . '"', $html );
		$this->assertStringNotContainsString( '<b>', $html );
		$this->assertTrue( wp_script_is( 'smi-buy-button', 'enqueued' ) );
	}

	public function test_shortcode_renders_nothing_for_a_non_image(): void {
		$post = $this->make_post();
		$this->on_front( $post );
		$this->assertSame( '', do_shortcode( '[smi_buy_button attachment_id="' . $this->make_attachment( $post, 'application/pdf', 'a.pdf' ) . '"]' ) );
	}

	public function test_image_blocks_get_a_button_only_when_opted_in(): void {
		$post  = $this->make_post();
		$image = $this->make_attachment( $post );
		$this->on_front( $post );
		$GLOBALS['wp_query']->is_singular = true;

		$block = '<!-- wp:image {"id":' . $image . '} --><figure class="wp-block-image"><img src="x.jpg" class="wp-image-' . $image . '"/></figure><!-- /wp:image -->';

		update_option( 'smi_auto_buttons', false );
		$this->assertStringNotContainsString( 'smi-buy-button', do_blocks( $block ) );
		update_option( 'smi_auto_buttons', true );
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
