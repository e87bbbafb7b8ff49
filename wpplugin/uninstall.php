<?php
/**
 * Uninstall: removes only the plugin's own settings.
 *
 * The jobs, payments and files belong to the smid daemon (table
 * {prefix}smi_jobs and its storage); they are left alone on purpose.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

// The plugin's classes are not loaded here: the list is written out (the
// notify options are SMI_Settings::NOTIFY_KINDS). A test checks that no
// smi_ option survives.
$smi_options = array(
	'smi_daemon_url',
	'smi_daemon_secret',
	'smi_auto_buttons',
	'smi_trusted_proxies',
	'smi_activated_at',
	'smi_notify_sale',
	'smi_notify_failed',
	'smi_notify_dispute',
	'smi_notify_stuck',
);
foreach ( $smi_options as $smi_option ) {
	delete_option( $smi_option );
}
unset( $smi_options, $smi_option );

// The per-user "Jobs per page" screen option.
delete_metadata( 'user', 0, 'smi_jobs_per_page', '', true );
delete_metadata( 'user', 0, 'smi_dismissed_activation_notice', '', true );
delete_metadata( 'user', 0, 'smi_notices', '', true );

// The site-wide caches (class-smi-cache.php).
delete_transient( 'smi_cache_system' );
delete_transient( 'smi_cache_attention' );
