<?php
/**
 * WP-CLI: `wp smi status`.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sell My Images from the command line, through the daemon's API.
 *
 * ## EXAMPLES
 *
 *     # Is the daemon up, and can it take orders?
 *     $ wp smi status
 *
 *     # The 20 newest failed jobs.
 *     $ wp smi jobs list --status=failed --per_page=20
 *
 * @since 1.1.0
 */
class SMI_CLI {

	/**
	 * Daemon client.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the command (WP-CLI calls it without arguments).
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Daemon_Client|null $client Optional client; default from wp-config.php or Settings.
	 */
	public function __construct( ?SMI_Daemon_Client $client = null ) {
		$this->client = $client ?? self::default_client();
	}

	/**
	 * The plugin's daemon client (wp-config.php constants, else Settings).
	 *
	 * @since 1.1.0
	 *
	 * @return SMI_Daemon_Client
	 */
	public static function default_client(): SMI_Daemon_Client {
		$plugin = SMI_Plugin::instance();
		return $plugin ? $plugin->client : SMI_Daemon_Client::from_config();
	}

	/**
	 * Registers `wp smi` and `wp smi jobs`.
	 *
	 * @since 1.1.0
	 */
	public static function register(): void {
		WP_CLI::add_command( 'smi', 'SMI_CLI' );
		WP_CLI::add_command( 'smi jobs', 'SMI_CLI_Jobs' );
	}

	/**
	 * Shows the daemon's version, schema, Stripe mode and whether it can take orders.
	 *
	 * Exits with an error when the daemon does not answer.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - csv
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp smi status
	 *     $ wp smi status --format=json
	 *
	 * @since 1.1.0
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function status( $args, $assoc_args ): void {
		$system = $this->client->get( '/v1/system', array(), array( 'timeout' => 10 ) );
		if ( is_wp_error( $system ) ) {
			WP_CLI::error( $system->get_error_message() );
		}
		$schema    = (array) ( $system['schema'] ?? array() );
		$missing   = ( new SMI_Site_Health( $this->client ) )->missing_parts( $system );
		$item      = array(
			'daemon_url'  => $this->client->display_url(),
			'version'     => (string) ( $system['version'] ?? '' ),
			'schema'      => (int) ( $schema['applied'] ?? 0 ) . '/' . (int) ( $schema['latest'] ?? 0 ) . ( empty( $schema['current'] ) ? ' behind' : ' current' ),
			'stripe_mode' => (string) ( $system['stripe_mode'] ?? '' ),
			'currency'    => (string) ( $system['currency'] ?? '' ),
			'pipeline'    => null === $missing ? 'unknown' : ( $missing ? 'not configured: ' . implode( ',', $missing ) : 'configured' ),
		);
		$formatter = new \WP_CLI\Formatter( $assoc_args, array_keys( $item ) );
		$formatter->display_item( $item );
		if ( empty( $schema['current'] ) ) {
			WP_CLI::warning( 'The daemon\'s database schema is behind: run smid migrate.' );
		}
		if ( $missing ) {
			WP_CLI::warning( 'The daemon cannot take orders until its pipeline is configured (site.url, the Stripe keys, the Upsampler key).' );
		}
	}
}
