<?php
/**
 * The visitor's entry point: a "Download Hi-Res" button and its dialog.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * `[smi_buy_button attachment_id="…"]`, and (opt-in, `smi_auto_buttons`) a
 * button after every image block. The button opens a `<dialog>` that loads
 * the prices from the REST route and sends the visitor to Stripe Checkout.
 *
 * @since 1.0.0
 */
class SMI_Buy_Button {

	/**
	 * Whether the dialog still has to be printed in the footer.
	 *
	 * @since 1.0.0
	 * @var bool
	 */
	private bool $needs_dialog = false;

	/**
	 * Hooks the shortcode, the block filter and the footer.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_shortcode( 'smi_buy_button', array( $this, 'shortcode' ) );
		add_filter( 'render_block_core/image', array( $this, 'after_image_block' ), 10, 2 );
		add_action( 'wp_footer', array( $this, 'print_dialog' ) );
		add_action( 'wp_enqueue_scripts', array( $this, 'register_assets' ) );
	}

	/**
	 * Registers (not enqueues) the front-end assets.
	 *
	 * @since 1.0.0
	 */
	public function register_assets(): void {
		wp_register_style( 'smi-buy-button', plugins_url( 'assets/css/buy-button.css', SMI_PLUGIN_FILE ), array(), SMI_VERSION );
		wp_register_script( 'smi-buy-button', plugins_url( 'assets/js/buy-button.js', SMI_PLUGIN_FILE ), array( 'wp-i18n' ), SMI_VERSION, true );
		wp_localize_script(
			'smi-buy-button',
			'smiBuy',
			array(
				'restUrl' => esc_url_raw( rest_url( SMI_REST::NS . '/' ) ),
				'i18n'    => array(
					'loading'     => __( 'Loading prices…', 'sell-my-images' ),
					'unavailable' => __( 'This image cannot be bought right now. Please try again later.', 'sell-my-images' ),
					'redirecting' => __( 'Taking you to the secure payment page…', 'sell-my-images' ),
					'choose'      => __( 'Choose a resolution.', 'sell-my-images' ),
					/* translators: 1: resolution such as 4x, 2: width in pixels, 3: height in pixels, 4: price. */
					'option'      => __( '%1$s — %2$d × %3$d px — %4$s', 'sell-my-images' ),
					'thanks'      => __( 'Thank you! Your high-resolution image is being prepared; we will email you the download link.', 'sell-my-images' ),
					'ready'       => __( 'Your image is ready: check your email for the download link.', 'sell-my-images' ),
					'cancelled'   => __( 'The payment was cancelled; nothing was charged.', 'sell-my-images' ),
				),
			)
		);
	}

	/**
	 * The button's HTML for an attachment, or '' when the sale policy would
	 * refuse it (SMI_Sale_Policy::check): a post that is not public or has a
	 * password sells nothing, and an image the post does not show (one in a
	 * template part or a widget) gets no button that would only answer
	 * "not for sale".
	 *
	 * @since 1.0.0
	 *
	 * @param int    $attachment_id Attachment ID.
	 * @param string $label         Button text ('' for the default).
	 * @return string
	 */
	public function button( int $attachment_id, string $label = '' ): string {
		$post_id = (int) get_the_ID();
		if ( $attachment_id <= 0 || $post_id <= 0 || true !== SMI_Sale_Policy::check( $attachment_id, $post_id ) ) {
			return '';
		}
		$this->needs_dialog = true;
		if ( ! wp_script_is( 'smi-buy-button', 'registered' ) ) {
			$this->register_assets();
		}
		wp_enqueue_script( 'smi-buy-button' );
		wp_enqueue_style( 'smi-buy-button' );
		return sprintf(
			'<p class="smi-buy"><button type="button" class="smi-buy-button wp-element-button" data-attachment-id="%1$d" data-post-id="%2$d">%3$s</button></p>',
			$attachment_id,
			$post_id,
			esc_html( '' !== $label ? $label : __( 'Download Hi-Res', 'sell-my-images' ) )
		);
	}

	/**
	 * `[smi_buy_button attachment_id="123" label="…"]`.
	 *
	 * @since 1.0.0
	 *
	 * @param array|string $atts Attributes.
	 * @return string
	 */
	public function shortcode( $atts ): string {
		$atts = shortcode_atts(
			array(
				'attachment_id' => 0,
				'label'         => '',
			),
			$atts,
			'smi_buy_button'
		);
		return $this->button( absint( $atts['attachment_id'] ), sanitize_text_field( (string) $atts['label'] ) );
	}

	/**
	 * Adds the button after an image block when the site opted in.
	 *
	 * @since 1.0.0
	 *
	 * @param string $content Block HTML.
	 * @param array  $block   Parsed block.
	 * @return string
	 */
	public function after_image_block( $content, $block ) {
		if ( is_admin() || ! SMI_Settings::auto_buttons() || ! is_singular() ) {
			return $content;
		}
		$attachment_id = isset( $block['attrs']['id'] ) ? absint( $block['attrs']['id'] ) : 0;
		return $content . $this->button( $attachment_id );
	}

	/**
	 * Prints the dialog once, when a button was rendered.
	 *
	 * @since 1.0.0
	 */
	public function print_dialog(): void {
		if ( ! $this->needs_dialog ) {
			return;
		}
		?>
		<dialog id="smi-buy-dialog" class="smi-buy-dialog" aria-labelledby="smi-buy-title">
			<form method="dialog" id="smi-buy-form">
				<h2 id="smi-buy-title"><?php esc_html_e( 'Download Hi-Res', 'sell-my-images' ); ?></h2>
				<p class="smi-buy-message" id="smi-buy-message" role="status" aria-live="polite"></p>
				<fieldset class="smi-buy-options" id="smi-buy-options">
					<legend><?php esc_html_e( 'Resolution', 'sell-my-images' ); ?></legend>
				</fieldset>
				<p>
					<label for="smi-buy-email"><?php esc_html_e( 'Email for the download link (optional)', 'sell-my-images' ); ?></label>
					<input type="email" id="smi-buy-email" name="email" autocomplete="email" maxlength="254" />
				</p>
				<p class="smi-buy-actions">
					<button type="submit" value="buy" class="smi-buy-submit wp-element-button" id="smi-buy-submit"><?php esc_html_e( 'Continue to payment', 'sell-my-images' ); ?></button>
					<button type="button" class="smi-buy-cancel" id="smi-buy-cancel"><?php esc_html_e( 'Cancel', 'sell-my-images' ); ?></button>
				</p>
			</form>
		</dialog>
		<?php
	}
}
