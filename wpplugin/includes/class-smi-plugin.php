<?php
/**
 * Wiring of the plugin's parts.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Builds every part with its dependencies (one daemon client shared by all)
 * and hooks them. No logic lives here.
 *
 * @since 1.0.0
 */
class SMI_Plugin {

	/**
	 * The running instance.
	 *
	 * @since 1.0.0
	 * @var SMI_Plugin|null
	 */
	private static ?SMI_Plugin $instance = null;

	/**
	 * Daemon client shared by the parts.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	public SMI_Daemon_Client $client;

	/**
	 * Builds and hooks the plugin (on plugins_loaded).
	 *
	 * @since 1.0.0
	 */
	public static function boot(): void {
		if ( null === self::$instance ) {
			self::$instance = new self( SMI_Daemon_Client::from_config() );
			self::$instance->register();
		}
	}

	/**
	 * The running instance, if booted.
	 *
	 * @since 1.0.0
	 *
	 * @return SMI_Plugin|null
	 */
	public static function instance(): ?SMI_Plugin {
		return self::$instance;
	}

	/**
	 * Builds the plugin.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks every part.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		load_plugin_textdomain( 'sell-my-images', false, dirname( plugin_basename( SMI_PLUGIN_FILE ) ) . '/languages' );

		$relay = new SMI_Passthrough( $this->client );
		( new SMI_Capabilities() )->register();
		( new SMI_Hooks( $this->client ) )->register();
		( new SMI_Bridges( $this->client, $relay ) )->register();
		( new SMI_REST( $this->client ) )->register();
		( new SMI_Buy_Button() )->register();
		( new SMI_Site_Health( $this->client ) )->register();
		add_action( 'init', array( $this, 'ensure_rewrite_rules' ), 99 );

		if ( is_admin() ) {
			$actions = new SMI_Job_Actions( $this->client );
			$actions->register();
			( new SMI_Admin_Jobs_Page( $this->client, $actions ) )->register();
			( new SMI_Settings( $this->client ) )->register();
			( new SMI_Admin_Ajax( $this->client ) )->register();
			( new SMI_Export( $relay ) )->register();
			( new SMI_Help() )->register();
			( new SMI_Onboarding() )->register();
		}
	}

	/**
	 * Flushes the rewrite rules once if ours are missing (e.g. after an update).
	 *
	 * @since 1.0.0
	 */
	public function ensure_rewrite_rules(): void {
		$rules = get_option( 'rewrite_rules' );
		if ( is_array( $rules ) && get_option( 'permalink_structure' ) && ! isset( $rules['^smi-download/([^/]+)/?$'] ) ) {
			flush_rewrite_rules( false );
		}
	}

	/**
	 * Activation: register the bridges' rules and flush.
	 *
	 * @since 1.0.0
	 */
	public static function activate(): void {
		SMI_Bridges::add_rewrite_rules();
		flush_rewrite_rules( false );
		SMI_Onboarding::activated();
	}

	/**
	 * Deactivation: forget the bridges' rules.
	 *
	 * @since 1.0.0
	 */
	public static function deactivate(): void {
		global $wp_rewrite;
		if ( $wp_rewrite instanceof WP_Rewrite ) {
			unset( $wp_rewrite->extra_rules_top['^smi-webhook/(stripe|upsampler)/?$'], $wp_rewrite->extra_rules_top['^smi-download/([^/]+)/?$'] );
		}
		flush_rewrite_rules( false );
	}
}
