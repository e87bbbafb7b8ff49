<?php
/**
 * PHPUnit bootstrap: loads a real WordPress (a site built by
 * scripts/wp/site.sh, path in env SMI_WP_DIR) with the plugin active.
 *
 * Optional env:
 * - SMI_FAKE_DAEMON_URL: a running tests/fake-daemon.php (else one is started here).
 * - SMI_WP_URL: the same site served over HTTP (enables tests/test-http.php).
 *
 * @package SellMyImages
 */

$smi_wp_dir = getenv( 'SMI_WP_DIR' );
if ( ! $smi_wp_dir || ! is_file( $smi_wp_dir . '/wp-load.php' ) ) {
	fwrite( STDERR, "Set SMI_WP_DIR to a site built by scripts/wp/site.sh (or run scripts/wp/test.sh).\n" );
	exit( 1 );
}

$_SERVER['HTTP_HOST']       = '127.0.0.1';
$_SERVER['SERVER_NAME']     = '127.0.0.1';
$_SERVER['REQUEST_URI']     = '/wp-admin/admin.php?page=smi-jobs';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

/**
 * Loads WordPress inside a function: PHPUnit copies the bootstrap's top-level
 * variables into $GLOBALS afterwards, which would reset globals such as
 * $shortcode_tags to the empty arrays WordPress files start them with.
 *
 * @param string $dir Site folder.
 */
function smi_tests_load_wordpress( string $dir ): void {
	// Load as wp-admin so the admin parts of the plugin are hooked.
	define( 'WP_ADMIN', true );
	require $dir . '/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/admin.php';
}
smi_tests_load_wordpress( $smi_wp_dir );

if ( ! class_exists( 'SMI_Plugin' ) || ! SMI_Plugin::instance() ) {
	fwrite( STDERR, "The sell-my-images plugin is not active on the site in SMI_WP_DIR.\n" );
	exit( 1 );
}
require_once SMI_PLUGIN_DIR . 'includes/class-smi-jobs-list-table.php';

// A fake daemon for the streaming tests (downloads, export).
if ( ! getenv( 'SMI_FAKE_DAEMON_URL' ) ) {
	$smi_probe = stream_socket_server( 'tcp://127.0.0.1:0' );
	$smi_port  = (int) substr( strrchr( stream_socket_get_name( $smi_probe, false ), ':' ), 1 );
	fclose( $smi_probe );
	$smi_proc = proc_open(
		array( PHP_BINARY, '-S', '127.0.0.1:' . $smi_port, __DIR__ . '/fake-daemon.php' ),
		array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'file', '/dev/null', 'w' ), 2 => array( 'file', '/dev/null', 'w' ) ),
		$smi_pipes,
		null,
		array( 'SMI_FAKE_SECRET' => 'test-secret', 'PHP_CLI_SERVER_WORKERS' => '1' ) + getenv()
	);
	for ( $smi_i = 0; $smi_i < 50; $smi_i++ ) {
		$smi_conn = @fsockopen( '127.0.0.1', $smi_port, $smi_errno, $smi_errstr, 0.1 ); // phpcs:ignore Generic.PHP.NoSilencedErrors, WordPress.PHP.NoSilencedErrors -- refused until the server is up.
		if ( $smi_conn ) {
			fclose( $smi_conn );
			break;
		}
		usleep( 100000 );
	}
	putenv( 'SMI_FAKE_DAEMON_URL=http://127.0.0.1:' . $smi_port );
	register_shutdown_function(
		static function () use ( $smi_proc ) {
			proc_terminate( $smi_proc );
			proc_close( $smi_proc );
		}
	);
}

require __DIR__ . '/class-smi-test-case.php';
