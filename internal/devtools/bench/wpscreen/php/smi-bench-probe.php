<?php
/**
 * Plugin Name: SMI Jobs screen benchmark probe
 * Description: Written by internal/benchmark/wpscreen into its throw-away site. Times this request's calls to the daemon (and the SQL the original plugin's page runs) and prints them, with the request's own time and its database queries, in an HTML comment after the benchmarked screens.
 *
 * @package SellMyImages
 */

defined( 'ABSPATH' ) || exit;

/*
 * What the probe has seen in this request: time inside wp_remote_* calls to
 * the daemon, their number, and time inside the legacy page's $wpdb calls
 * and in each of its three queries (added by smi-legacy-jobs.php).
 */
$GLOBALS['smi_bench'] = array(
	'http_ns'    => 0,
	'http_calls' => 0,
	'sql_ns'     => 0,
	'sql_parts'  => array( 0, 0, 0 ), // status counts, COUNT(*), the page
	'started'    => null,
);

/**
 * Starts the clock when a request to the daemon is about to go out. Runs
 * last on pre_http_request, so a request some other filter answers is not
 * counted.
 *
 * @param false|array|WP_Error $pre  Short-circuit value.
 * @param array                $args Request arguments.
 * @param string               $url  Request URL.
 * @return false|array|WP_Error The short-circuit value, unchanged.
 */
function smi_bench_http_start( $pre, $args, $url ) {
	if ( false === $pre && defined( 'SMI_DAEMON_URL' ) && 0 === strpos( (string) $url, (string) SMI_DAEMON_URL ) ) {
		$GLOBALS['smi_bench']['started'] = hrtime( true );
	}
	return $pre;
}
add_filter( 'pre_http_request', 'smi_bench_http_start', PHP_INT_MAX, 3 );

/**
 * Stops the clock when the response (or the error) is back.
 */
function smi_bench_http_end() {
	if ( null !== $GLOBALS['smi_bench']['started'] ) {
		$GLOBALS['smi_bench']['http_ns'] += hrtime( true ) - $GLOBALS['smi_bench']['started'];
		++$GLOBALS['smi_bench']['http_calls'];
		$GLOBALS['smi_bench']['started'] = null;
	}
}
add_action( 'http_api_debug', 'smi_bench_http_end', 10, 0 );

/**
 * Prints the figures after the benchmarked screens' markup. The request's
 * time starts when PHP's server received it (REQUEST_TIME_FLOAT).
 */
function smi_bench_report() {
	global $wpdb;
	$page = isset( $_GET['page'] ) && is_string( $_GET['page'] ) ? $_GET['page'] : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only.
	if ( ! is_admin() || ! in_array( $page, array( 'smi-jobs', 'smi-legacy-jobs', 'smi-bench-empty' ), true ) ) {
		return;
	}
	$status  = function_exists( 'opcache_get_status' ) ? opcache_get_status( false ) : false;
	$opcache = is_array( $status ) && ! empty( $status['opcache_enabled'] ) ? 1 : 0;
	$b       = $GLOBALS['smi_bench'];
	printf(
		"\n<!-- smi-bench total_ms=%.3f http_ms=%.3f http_calls=%d sql_ms=%.3f sql_parts=%.3f,%.3f,%.3f queries=%d opcache=%d wp=%s php=%s -->\n",
		( microtime( true ) - (float) $_SERVER['REQUEST_TIME_FLOAT'] ) * 1000,
		$b['http_ns'] / 1e6,
		(int) $b['http_calls'],
		$b['sql_ns'] / 1e6,
		$b['sql_parts'][0] / 1e6,
		$b['sql_parts'][1] / 1e6,
		$b['sql_parts'][2] / 1e6,
		(int) $wpdb->num_queries,
		(int) $opcache,
		esc_html( get_bloginfo( 'version' ) ),
		esc_html( PHP_VERSION )
	);
}
add_action( 'shutdown', 'smi_bench_report', PHP_INT_MAX );
