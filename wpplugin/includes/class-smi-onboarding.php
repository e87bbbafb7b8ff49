<?php
/**
 * The Settings link on the Plugins screen and the activation notice.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * After activation, administrators see a notice pointing to Settings until
 * they dismiss it (per user, stored in user meta). The Plugins screen gets a
 * Settings link.
 *
 * @since 1.1.0
 */
class SMI_Onboarding {

	/**
	 * Option set on activation: the notice is due.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const OPTION = 'smi_activated_at';

	/**
	 * User meta of a user who dismissed the notice.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const DISMISSED = 'smi_dismissed_activation_notice';

	/**
	 * The admin-post.php action and nonce action of the dismissal.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const ACTION = 'smi_dismiss_activation_notice';

	/**
	 * The action the plugin's own screens fire right below their heading,
	 * where they print their notices in place.
	 *
	 * WordPress prints `admin_notices` above a screen's `.wrap` and its
	 * common.js moves them below the heading once the page has loaded,
	 * which makes the whole screen jump; on these screens the notice is
	 * printed where it will stay.
	 *
	 * @since 1.2.0
	 * @var string
	 */
	const IN_PLACE = 'smi_admin_notices';

	/**
	 * Hooks the link, the notice and the dismissal.
	 *
	 * @since 1.1.0
	 */
	public function register(): void {
		add_filter( 'plugin_action_links_' . plugin_basename( SMI_PLUGIN_FILE ), array( $this, 'action_links' ) );
		add_action( 'admin_notices', array( $this, 'activation_notice' ) );
		add_action( self::IN_PLACE, array( $this, 'activation_notice_in_place' ) );
		add_action( 'admin_post_' . self::ACTION, array( $this, 'handle_dismiss' ) );
	}

	/**
	 * Marks the notice as due (on activation).
	 *
	 * @since 1.1.0
	 */
	public static function activated(): void {
		// Autoloaded: every admin page asks whether the notice is due.
		update_option( self::OPTION, time(), true );
	}

	/**
	 * Adds "Settings" before Deactivate.
	 *
	 * @since 1.1.0
	 *
	 * @param string[] $links Action links.
	 * @return string[]
	 */
	public function action_links( $links ) {
		if ( ! current_user_can( 'manage_options' ) ) {
			return $links;
		}
		$settings = sprintf( '<a href="%1$s" id="smi-settings-link">%2$s</a>', esc_url( admin_url( 'admin.php?page=' . SMI_Settings::PAGE ) ), esc_html__( 'Settings', 'sell-my-images' ) );
		return array_merge( array( 'settings' => $settings ), (array) $links );
	}

	/**
	 * Whether the current user should see the notice.
	 *
	 * @since 1.1.0
	 *
	 * @return bool
	 */
	public function notice_due(): bool {
		return (bool) get_option( self::OPTION )
			&& current_user_can( 'manage_options' )
			&& ! get_user_meta( get_current_user_id(), self::DISMISSED, true );
	}

	/**
	 * Prints the notice (not on the Settings screen itself).
	 *
	 * @since 1.1.0
	 */
	public function activation_notice(): void {
		if ( ! $this->notice_due() ) {
			return;
		}
		$screen = get_current_screen();
		if ( $screen && false !== strpos( (string) $screen->id, SMI_Settings::PAGE ) ) {
			return;
		}
		if ( $screen && self::prints_in_place( (string) $screen->id ) ) {
			return;
		}
		$this->print_notice( '' );
	}

	/**
	 * Prints the notice below the heading of one of the plugin's screens
	 * (the `smi_admin_notices` action), marked `inline` so that WordPress
	 * leaves it there.
	 *
	 * @since 1.2.0
	 */
	public function activation_notice_in_place(): void {
		if ( $this->notice_due() ) {
			$this->print_notice( ' inline' );
		}
	}

	/**
	 * Whether a screen prints the plugin's notices itself (the Jobs list,
	 * a job's details and Reports).
	 *
	 * @since 1.2.0
	 *
	 * @param string $screen_id Screen ID.
	 * @return bool
	 */
	public static function prints_in_place( string $screen_id ): bool {
		foreach ( array( SMI_Admin_Jobs_Page::SLUG, SMI_Reports::SLUG ) as $slug ) {
			if ( substr( $screen_id, -strlen( '_page_' . $slug ) ) === '_page_' . $slug ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Prints the notice.
	 *
	 * @since 1.2.0
	 *
	 * @param string $extra_class Extra classes, with a leading space.
	 */
	private function print_notice( string $extra_class ): void {
		$dismiss = wp_nonce_url( add_query_arg( 'action', self::ACTION, admin_url( 'admin-post.php' ) ), self::ACTION );
		printf(
			'<div class="notice notice-info%6$s" id="smi-activation-notice"><p>%1$s</p><p><a class="button button-primary" href="%2$s">%3$s</a> <a href="%4$s" id="smi-dismiss-activation">%5$s</a></p></div>',
			esc_html__( 'Sell My Images is active. Under Settings, connect it to the smid daemon (its URL and shared secret) and choose how buy buttons appear.', 'sell-my-images' ),
			esc_url( admin_url( 'admin.php?page=' . SMI_Settings::PAGE ) ),
			esc_html__( 'Open Settings', 'sell-my-images' ),
			esc_url( $dismiss ),
			esc_html__( 'Dismiss', 'sell-my-images' ),
			esc_attr( $extra_class )
		);
	}

	/**
	 * The admin-post.php entry point of the dismissal.
	 *
	 * @since 1.1.0
	 */
	public function handle_dismiss(): void {
		$this->dismiss();
		wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url() );
		exit;
	}

	/**
	 * Records the dismissal for the current user, after capability and nonce checks.
	 *
	 * @since 1.1.0
	 */
	public function dismiss(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::ACTION );
		update_user_meta( get_current_user_id(), self::DISMISSED, time() );
	}
}
