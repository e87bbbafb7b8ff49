<?php
/**
 * Plugin Name:       Sell My Images
 * Plugin URI:        https://github.com/sell-my-images/smi
 * Description:       Sell upscaled, high-resolution copies of your images. A thin WordPress front for the smid daemon, which owns the jobs and the whole pipeline (Stripe checkout, Upsampler, delivery).
 * Version:           1.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Sell My Images
 * License:           GPLv2 or later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       sell-my-images
 * Domain Path:       /languages
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

define( 'SMI_VERSION', '1.1.0' );
define( 'SMI_PLUGIN_FILE', __FILE__ );
define( 'SMI_PLUGIN_DIR', plugin_dir_path( __FILE__ ) );

foreach ( array(
	'format',
	'cache',
	'daemon-client',
	'daemon-stream',
	'notices',
	'capabilities',
	'passthrough',
	'settings',
	'admin-jobs-page',
	'job-details',
	'job-actions',
	'admin-ajax',
	'export',
	'bridges',
	'client-ip',
	'rate-limiter',
	'sale-policy',
	'rest',
	'buy-button',
	'hooks',
	'site-health',
	'help',
	'onboarding',
	'reports',
	'plugin',
) as $smi_file ) {
	require_once SMI_PLUGIN_DIR . 'includes/class-smi-' . $smi_file . '.php';
}
unset( $smi_file );

register_activation_hook( __FILE__, array( 'SMI_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'SMI_Plugin', 'deactivate' ) );
add_action( 'plugins_loaded', array( 'SMI_Plugin', 'boot' ) );

if ( defined( 'WP_CLI' ) && WP_CLI ) {
	require_once SMI_PLUGIN_DIR . 'includes/class-smi-cli.php';
	require_once SMI_PLUGIN_DIR . 'includes/class-smi-cli-jobs.php';
	SMI_CLI::register();
}
