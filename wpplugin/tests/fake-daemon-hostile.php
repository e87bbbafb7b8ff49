<?php
/**
 * The fake daemon with hostile data, for tests/test-hostile-input.php. Run
 * with `php -S 127.0.0.1:PORT fake-daemon-hostile.php`; point a client at
 * `http://127.0.0.1:PORT/h/<mode>`.
 *
 * Each request is answered by tests/fake-daemon.php (same routes, same job
 * shapes, same secret), then every string in its JSON answer is replaced by
 * a hostile one naming its field: markup and attribute break-outs, a
 * javascript: URL (leading, in fields named *url*), spreadsheet formula
 * prefixes (= + - @), a right-to-left override. Numbers stay numbers. Modes:
 *
 * - `ids`:  job IDs stay valid UUIDs (so rows get their links and actions);
 * - `all`:  job IDs are hostile too;
 * - `long`: like `ids`, each value padded to 10 kB.
 *
 * `GET /v1/jobs/export.csv` answers the hostile jobs as CSV, RFC 4180-quoted.
 *
 * @package SellMyImages
 */

// phpcs:disable WordPress -- a test helper run on its own, not plugin code.

$smi_uri = (string) $_SERVER['REQUEST_URI'];
if ( ! preg_match( '#^/h/(ids|all|long)(/.*)$#', $smi_uri, $smi_m ) ) {
	http_response_code( 404 );
	return;
}
$smi_mode = $smi_m[1];
$smi_path = (string) parse_url( $smi_m[2], PHP_URL_PATH );
$smi_csv  = '/v1/jobs/export.csv' === $smi_path;

$_SERVER['REQUEST_URI'] = $smi_csv ? '/v1/jobs' : $smi_m[2];

/**
 * The hostile value of a field.
 *
 * @param string $field Field name, built into the value.
 * @param string $mode  ids|all|long.
 * @return string
 */
function smi_hostile( string $field, string $mode ): string {
	$value = '=HYPERLINK("javascript:smi_xss(1)")+1-1@' . "\u{202E}" . 'javascript:smi_xss(1)//"\'><script>smi_xss(2)</script><img src=x onerror=smi_xss(3)><!--[' . $field . ']';
	if ( false !== strpos( $field, 'url' ) ) {
		// Where a URL is expected, lead with the scheme a link would run.
		$value = 'javascript:smi_xss(1)//' . $value;
	}
	if ( 'long' === $mode ) {
		$value = str_pad( $value, 10240, '<b>&amp;"\'</b>' );
	}
	return $value;
}

/**
 * Replaces every string, keeping UUID job ids in the modes that keep them.
 *
 * @param mixed  $data A decoded JSON value.
 * @param string $mode ids|all|long.
 * @param string $key  The field $data is the value of.
 * @return mixed
 */
function smi_poison( $data, string $mode, string $key = '' ) {
	if ( is_array( $data ) ) {
		$out = array();
		foreach ( $data as $k => $v ) {
			$out[ $k ] = smi_poison( $v, $mode, is_int( $k ) ? $key : (string) $k );
		}
		return $out;
	}
	if ( ! is_string( $data ) ) {
		return $data;
	}
	if ( 'all' !== $mode && 'job_id' === $key && preg_match( '/^[0-9a-f-]{36}$/', $data ) ) {
		return $data;
	}
	return smi_hostile( $key, $mode );
}

ob_start();
require __DIR__ . '/fake-daemon.php';
$smi_body   = (string) ob_get_clean();
$smi_status = http_response_code();
$smi_data   = json_decode( $smi_body, true );
if ( ! is_array( $smi_data ) ) {
	echo $smi_body;
	return;
}
$smi_data = smi_poison( $smi_data, $smi_mode );
if ( $smi_csv && 200 === $smi_status ) {
	header( 'Content-Type: text/csv; charset=utf-8' );
	$smi_out  = fopen( 'php://output', 'w' );
	$smi_cols = array( 'job_id', 'email', 'status', 'last_error', 'image_url', 'refund_reason' );
	fputcsv( $smi_out, $smi_cols );
	foreach ( $smi_data['jobs'] as $smi_job ) {
		fputcsv( $smi_out, array_map( fn( $c ) => (string) ( $smi_job[ $c ] ?? smi_hostile( $c, $smi_mode ) ), $smi_cols ) );
	}
	return;
}
header( 'Content-Type: application/json' );
echo json_encode( $smi_data );
