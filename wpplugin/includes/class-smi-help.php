<?php
/**
 * Help tabs of the Jobs and Settings screens.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the "Help" tabs and sidebar on the plugin's screens, on their
 * `load-{$hook_suffix}` actions. The hook suffixes are asked from WordPress
 * after the menus exist (they depend on the translated menu title).
 *
 * @since 1.1.0
 */
class SMI_Help {

	/**
	 * Hooks the screens once the menus are registered.
	 *
	 * @since 1.1.0
	 */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'hook_screens' ), 100 );
	}

	/**
	 * Adds the load-{$hook_suffix} actions of both screens.
	 *
	 * @since 1.1.0
	 */
	public function hook_screens(): void {
		add_action( 'load-' . get_plugin_page_hookname( SMI_Admin_Jobs_Page::SLUG, '' ), array( $this, 'jobs_help' ) );
		add_action( 'load-' . get_plugin_page_hookname( SMI_Settings::PAGE, SMI_Admin_Jobs_Page::SLUG ), array( $this, 'settings_help' ) );
	}

	/**
	 * Help of the Jobs list and of a job's details.
	 *
	 * @since 1.1.0
	 */
	public function jobs_help(): void {
		$screen = get_current_screen();
		if ( ! $screen ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only chooses which help to show.
		if ( isset( $_GET['job'] ) ) {
			$screen->add_help_tab(
				array(
					'id'      => 'smi-help-details',
					'title'   => __( 'Job details', 'sell-my-images' ),
					'content' => self::paragraphs(
						array(
							__( 'This page shows everything the daemon knows about one purchase: the payment and its refunds, the upscale, the download link and the full timeline of events with who did what.', 'sell-my-images' ),
							__( 'Times are shown in the site\'s time zone; amounts are in the currency the customer paid.', 'sell-my-images' ),
						)
					),
				)
			);
			$screen->add_help_tab(
				array(
					'id'      => 'smi-help-interventions',
					'title'   => __( 'Interventions', 'sell-my-images' ),
					'content' => self::paragraphs(
						array(
							__( 'Retry upscales the image again and uses Upsampler credits. New download link replaces the current link (the old one stops working) and can email it. Resend email sends the delivery email again with a fresh link.', 'sell-my-images' ),
							__( 'Refund returns money through Stripe, in full or in part; a reason is required and recorded. A full refund revokes the download link.', 'sell-my-images' ),
							__( 'Set status is for edge cases only, such as a job stuck in processing; the daemon refuses any move that would mark a job paid without Stripe\'s word. Reconcile asks Stripe for the payment\'s real state.', 'sell-my-images' ),
						)
					),
				)
			);
		} else {
			$screen->add_help_tab(
				array(
					'id'      => 'smi-help-overview',
					'title'   => __( 'Overview', 'sell-my-images' ),
					'content' => self::paragraphs(
						array(
							__( 'Every purchase of a hi-res image is a job: the visitor pays with Stripe Checkout, the smid daemon upscales the image and emails a download link.', 'sell-my-images' ),
							__( 'The list refreshes itself while jobs are processing. Click a job ID to see its details and timeline.', 'sell-my-images' ),
						)
					),
				)
			);
			$screen->add_help_tab(
				array(
					'id'      => 'smi-help-statuses',
					'title'   => __( 'Statuses', 'sell-my-images' ),
					'content' => '<ul>'
						. '<li>' . esc_html__( 'Awaiting payment: the visitor is on Stripe\'s page. Abandoned: the checkout expired unpaid.', 'sell-my-images' ) . '</li>'
						. '<li>' . esc_html__( 'Pending: paid and queued. Processing: being upscaled.', 'sell-my-images' ) . '</li>'
						. '<li>' . esc_html__( 'Completed: the file is stored and the link was emailed. Failed: the upscale failed and the payment is refunded automatically.', 'sell-my-images' ) . '</li>'
						. '</ul>',
				)
			);
			$screen->add_help_tab(
				array(
					'id'      => 'smi-help-actions',
					'title'   => __( 'Searching and bulk actions', 'sell-my-images' ),
					'content' => self::paragraphs(
						array(
							__( 'Search accepts a job ID or its first 8 characters, an email, the start of an email, @domain, or a post or attachment ID. Filters narrow by status, payment status, dates, email, post and attachment; Export CSV downloads exactly what the filters show.', 'sell-my-images' ),
							__( 'Bulk actions apply to the selected jobs, or to every job matching the filters with "Apply to all"; large batches run in the background and show their progress. Refunds and status changes ask for a reason.', 'sell-my-images' ),
							__( 'The same actions exist on the command line: wp smi jobs list, get, retry, refund and export.', 'sell-my-images' ),
						)
					),
				)
			);
		}
		$screen->set_help_sidebar( self::sidebar() );
	}

	/**
	 * Help of the Settings screen.
	 *
	 * @since 1.1.0
	 */
	public function settings_help(): void {
		$screen = get_current_screen();
		if ( ! $screen ) {
			return;
		}
		$screen->add_help_tab(
			array(
				'id'      => 'smi-help-connection',
				'title'   => __( 'Connection', 'sell-my-images' ),
				'content' => self::paragraphs(
					array(
						__( 'WordPress talks to the smid daemon over HTTP on this machine (or a unix socket). The daemon URL is where smid listens (api.listen in its YAML configuration file).', 'sell-my-images' ),
						__( 'The shared secret must equal api.secret in smid\'s configuration (or its SMI_API_SECRET environment variable). It is stored write-only: it is never shown again; leave the field empty to keep it.', 'sell-my-images' ),
						__( 'SMI_DAEMON_URL and SMI_DAEMON_SECRET in wp-config.php override these fields.', 'sell-my-images' ),
					)
				),
			)
		);
		$screen->add_help_tab(
			array(
				'id'      => 'smi-help-buttons',
				'title'   => __( 'Buy buttons', 'sell-my-images' ),
				'content' => self::paragraphs(
					array(
						__( 'Automatic buttons add "Download Hi-Res" under every image block of published posts. Without them, place [smi_buy_button attachment_id="123"] where you want one.', 'sell-my-images' ),
						__( 'Only images a published post without a password shows (in its content or as its featured image) can be bought from that post.', 'sell-my-images' ),
					)
				),
			)
		);
		$screen->add_help_tab(
			array(
				'id'      => 'smi-help-proxies',
				'title'   => __( 'Trusted proxies', 'sell-my-images' ),
				'content' => self::paragraphs(
					array(
						__( 'Checkouts are limited per visitor (10 per 10 minutes by default). Behind a CDN or a reverse proxy every visitor seems to come from the proxy: list the proxy\'s addresses or ranges so each visitor is counted on their own address from X-Forwarded-For.', 'sell-my-images' ),
						__( 'List only proxies you run or pay for: X-Forwarded-For from anyone else is ignored, because a visitor can write anything in it.', 'sell-my-images' ),
					)
				),
			)
		);
		$screen->set_help_sidebar( self::sidebar() );
	}

	/**
	 * The sidebar: where to look next.
	 *
	 * @since 1.1.0
	 *
	 * @return string
	 */
	private static function sidebar(): string {
		return '<p><strong>' . esc_html__( 'For more information:', 'sell-my-images' ) . '</strong></p>'
			. '<p><a href="' . esc_url( admin_url( 'admin.php?page=' . SMI_Settings::PAGE ) ) . '">' . esc_html__( 'Sell My Images settings', 'sell-my-images' ) . '</a></p>'
			. '<p><a href="' . esc_url( admin_url( 'site-health.php' ) ) . '">' . esc_html__( 'Site Health: is the daemon ready?', 'sell-my-images' ) . '</a></p>'
			. '<p><a href="' . esc_url( 'https://github.com/sell-my-images/smi#readme' ) . '">' . esc_html__( 'smid documentation', 'sell-my-images' ) . '</a></p>';
	}

	/**
	 * Escaped paragraphs.
	 *
	 * @since 1.1.0
	 *
	 * @param string[] $texts Plain texts.
	 * @return string
	 */
	private static function paragraphs( array $texts ): string {
		return '<p>' . implode( '</p><p>', array_map( 'esc_html', $texts ) ) . '</p>';
	}
}
