<?php
/**
 * The few admin tasks a test site needs, without wp-cli.
 *
 * Usage:
 *   php wp-admin-task.php write-config <dir> <socket> <db> <user> <password> <port> <daemon-url> <daemon-secret>
 *   php wp-admin-task.php install <dir> <admin-password>
 *   php wp-admin-task.php activate <dir>
 *   php wp-admin-task.php flush <dir>
 *
 * @package SellMyImages
 */

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

$task = $argv[1] ?? '';
$dir  = isset( $argv[2] ) ? rtrim( $argv[2], '/' ) : '';
if ( '' === $dir || ! is_dir( $dir ) ) {
	fwrite( STDERR, "usage: php wp-admin-task.php <task> <dir> ...\n" );
	exit( 2 );
}

/**
 * Loads WordPress from the site folder.
 *
 * @param string $dir      Site folder.
 * @param bool   $install  Whether WordPress is being installed.
 */
function smi_task_load( string $dir, bool $install = false ): void {
	$_SERVER['HTTP_HOST']   = '127.0.0.1';
	$_SERVER['REQUEST_URI'] = '/';
	$_SERVER['SERVER_NAME'] = '127.0.0.1';
	if ( $install ) {
		define( 'WP_INSTALLING', true );
	}
	require $dir . '/wp-load.php';
}

switch ( $task ) {
	case 'write-config':
		list( , , , $socket, $db, $user, $password, $port, $daemon_url, $daemon_secret ) = array_pad( $argv, 10, '' );
		$salts = '';
		foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $name ) {
			$salts .= sprintf( "define( '%s', '%s' );\n", $name, bin2hex( random_bytes( 32 ) ) );
		}
		$home   = 'http://127.0.0.1:' . (int) $port;
		$config = "<?php\n// Test site written by scripts/wp/site.sh.\n"
			. sprintf( "define( 'DB_NAME', %s );\n", var_export( $db, true ) )
			. sprintf( "define( 'DB_USER', %s );\n", var_export( $user, true ) )
			. sprintf( "define( 'DB_PASSWORD', %s );\n", var_export( $password, true ) )
			. sprintf( "define( 'DB_HOST', %s );\n", var_export( 'localhost:' . $socket, true ) )
			. "define( 'DB_CHARSET', 'utf8mb4' );\ndefine( 'DB_COLLATE', '' );\n"
			. $salts
			. "\$table_prefix = 'wp_';\n"
			. sprintf( "define( 'WP_HOME', %s );\ndefine( 'WP_SITEURL', %s );\n", var_export( $home, true ), var_export( $home, true ) )
			. "define( 'DISABLE_WP_CRON', true );\ndefine( 'AUTOMATIC_UPDATER_DISABLED', true );\ndefine( 'WP_DEBUG', true );\ndefine( 'WP_DEBUG_DISPLAY', false );\ndefine( 'WP_DEBUG_LOG', __DIR__ . '/wp-content/debug.log' );\n"
			// No calls to wordpress.org from tests; the site's own host, localhost and the daemon stay reachable.
			. "define( 'WP_HTTP_BLOCK_EXTERNAL', true );\n"
			. sprintf( "define( 'WP_ACCESSIBLE_HOSTS', %s );\n", var_export( (string) ( parse_url( $daemon_url, PHP_URL_HOST ) ?: 'localhost' ), true ) )
			. sprintf( "define( 'SMI_DAEMON_URL', %s );\ndefine( 'SMI_DAEMON_SECRET', %s );\n", var_export( $daemon_url, true ), var_export( $daemon_secret, true ) )
			. "if ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\nrequire_once ABSPATH . 'wp-settings.php';\n";
		file_put_contents( $dir . '/wp-config.php', $config );
		break;

	case 'install':
		smi_task_load( $dir, true );
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		add_filter( 'pre_wp_mail', '__return_true' );
		if ( ! is_blog_installed() ) {
			$result = wp_install( 'SMI Test Site', 'admin', 'admin@example.com', true, '', $argv[3] ?? 'admin-password' );
			if ( is_wp_error( $result ) ) {
				fwrite( STDERR, $result->get_error_message() . "\n" );
				exit( 1 );
			}
		}
		update_option( 'permalink_structure', '/%postname%/' );
		break;

	case 'activate':
		smi_task_load( $dir );
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$result = activate_plugin( 'sell-my-images/sell-my-images.php' );
		if ( is_wp_error( $result ) ) {
			fwrite( STDERR, $result->get_error_message() . "\n" );
			exit( 1 );
		}
		break;

	case 'flush':
		// The plugin is active now, so its rules were added on init.
		smi_task_load( $dir );
		flush_rewrite_rules( false );
		break;

	default:
		fwrite( STDERR, "unknown task $task\n" );
		exit( 2 );
}
