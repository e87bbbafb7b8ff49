<?php
/**
 * A tiny stand-in for smid, run with `php -S 127.0.0.1:PORT fake-daemon.php`.
 *
 * Speaks just enough of docs/api.md for the plugin's tests and for looking at
 * the screens by hand: fixed jobs, webhooks that echo what they received,
 * downloads with Range support. Secret: env SMI_FAKE_SECRET (default
 * "test-secret").
 *
 * @package SellMyImages
 */

// phpcs:disable WordPress -- a test helper run on its own, not plugin code.

$method = $_SERVER['REQUEST_METHOD'];
$path   = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$secret = getenv( 'SMI_FAKE_SECRET' ) ?: 'test-secret';

function fake_json( int $status, $data ): void {
	http_response_code( $status );
	header( 'Content-Type: application/json' );
	echo json_encode( $data );
}

function fake_error( int $status, string $code, string $message, array $extra = array() ): void {
	fake_json( $status, array( 'error' => array_merge( array( 'code' => $code, 'message' => $message ), $extra ) ) );
}

function fake_jobs(): array {
	$base = array(
		'image_url' => 'http://127.0.0.1/wp-content/uploads/photo.jpg', 'post_id' => 1, 'attachment_id' => 0,
		'image_width' => 1000, 'image_height' => 800, 'source_type' => 'attachment', 'currency' => 'usd',
		'amount_cost' => 40, 'credits_used' => 0, 'upsampler_job_id' => null, 'email_sent' => false, 'download_count' => 0,
		'token_state' => 'none', 'download_expires_at' => null, 'attempts' => 0, 'last_error' => null, 'paid_at' => null,
		'processing_started_at' => null, 'completed_at' => null, 'failed_at' => null, 'refunded_at' => null, 'refund_reason' => null,
		'output_width' => null, 'output_height' => null, 'refund_amount' => 0, 'stripe_checkout_session_id' => 'cs_test_1',
		'stripe_payment_intent_id' => null, 'updated_at' => '2026-12-01T10:00:00Z',
	);
	$jobs = array(
		array_merge( $base, array( 'job_id' => '11111111-1111-4111-8111-111111111111', 'resolution' => '4x', 'email' => 'done@example.com', 'status' => 'completed', 'payment_status' => 'paid', 'amount_charged' => 1299, 'credits_used' => 4, 'token_state' => 'active', 'download_expires_at' => '2026-12-03T10:00:00Z', 'stripe_payment_intent_id' => 'pi_123', 'paid_at' => '2026-12-01T10:01:00Z', 'processing_started_at' => '2026-12-01T10:01:05Z', 'completed_at' => '2026-12-01T10:02:05Z', 'email_sent' => true, 'upsampler_job_id' => 'ups_1', 'output_width' => 4000, 'output_height' => 3200, 'created_at' => '2026-12-01T10:00:00Z' ) ),
		array_merge( $base, array( 'job_id' => '22222222-2222-4222-8222-222222222222', 'resolution' => '8x', 'email' => '"><script>alert(1)</script>@x.com', 'status' => 'processing', 'payment_status' => 'paid', 'amount_charged' => 2500, 'stripe_payment_intent_id' => 'pi_456', 'paid_at' => '2026-12-01T11:01:00Z', 'created_at' => '2026-12-01T11:00:00Z' ) ),
		array_merge( $base, array( 'job_id' => '33333333-3333-4333-8333-333333333333', 'resolution' => '4x', 'email' => 'fail@example.com', 'status' => 'failed', 'payment_status' => 'partially_refunded', 'amount_charged' => 1299, 'refund_amount' => 300, 'stripe_payment_intent_id' => 'pi_789', 'last_error' => 'upsampler said no', 'failed_at' => '2026-12-01T12:05:00Z', 'created_at' => '2026-12-01T12:00:00Z' ) ),
	);
	return array_map( 'fake_decorate', $jobs );
}

/**
 * What the daemon adds to every job: what is left to refund, which admin
 * actions apply (with the reason when not), and what needs attention.
 *
 * @param array $j A job.
 * @return array
 */
function fake_decorate( array $j ): array {
	$captured        = in_array( $j['payment_status'], array( 'paid', 'partially_refunded' ), true );
	$j['refundable'] = $captured ? $j['amount_charged'] - $j['refund_amount'] : 0;
	$no              = fn( string $why ) => array( 'allowed' => false, 'reason' => $why );
	$yes             = array( 'allowed' => true );
	$j['actions']    = array(
		'retry'            => in_array( $j['status'], array( 'failed', 'completed' ), true ) ? $yes : $no( 'an upscale is running' ),
		'regenerate_token' => 'completed' === $j['status'] ? $yes : $no( 'no stored file' ),
		'refund'           => $j['refundable'] > 0 ? $yes : $no( 'nothing left to refund' ),
		'set_status'       => 'failed' === $j['status'] ? array( 'allowed' => true, 'targets' => array( 'completed' ) ) : ( 'processing' === $j['status'] ? array( 'allowed' => true, 'targets' => array( 'failed' ) ) : array( 'allowed' => false, 'reason' => 'no manual move from ' . $j['status'], 'targets' => array() ) ),
		'resend_email'     => 'active' === $j['token_state'] ? $yes : $no( 'the link expired' ),
		'reconcile'        => $yes,
	);
	$j['attention']  = 'failed' === $j['status'] ? array( 'failed' ) : array();
	return $j;
}

/** The daemon's published lists and limits. */
function fake_system(): array {
	return array(
		'version' => 'fake-1.0', 'schema' => array( 'current' => true, 'applied' => 3, 'latest' => 3 ), 'stripe_mode' => 'test', 'currency' => 'usd',
		'lists'   => array(
			'statuses'         => array( 'awaiting_payment', 'pending', 'processing', 'completed', 'failed', 'abandoned' ),
			'payment_statuses' => array( 'pending', 'paid', 'failed', 'partially_refunded', 'refunded', 'disputed' ),
			'sort_columns'     => array( 'created_at', 'paid_at', 'completed_at', 'amount_charged', 'status', 'payment_status', 'email' ),
			'currencies'       => array( 'usd', 'eur', 'gbp' ),
			'actions'          => array( 'retry', 'regenerate_token', 'refund', 'set_status', 'resend_email', 'reconcile' ),
			'attention'        => array( 'failed', 'stuck', 'email_not_sent', 'disputed', 'refund_pending' ),
		),
		'limits'  => array( 'reason_max' => 1000, 'idempotency_key_max' => 200, 'batch_max' => 500, 'per_page_max' => 200, 'note_max' => 1000 ),
	);
}

/**
 * A page of $list by page number, keyset-like cursor (an offset here) or position=last.
 *
 * @param array $list Every item.
 * @param array $q    The query string.
 * @return array
 */
function fake_page( array $list, array $q ): array {
	$per    = max( 1, (int) ( $q['per_page'] ?? 25 ) );
	$total  = count( $list );
	$pages  = max( 1, (int) ceil( $total / $per ) );
	$offset = ( max( 1, (int) ( $q['page'] ?? 1 ) ) - 1 ) * $per;
	if ( isset( $q['cursor'] ) ) {
		$offset = (int) base64_decode( strtr( $q['cursor'], '-_', '+/' ) );
	} elseif ( 'last' === ( $q['position'] ?? '' ) ) {
		$offset = ( $pages - 1 ) * $per;
	}
	$cursor = fn( int $at ) => rtrim( strtr( base64_encode( (string) $at ), '+/', '-_' ), '=' );
	return array(
		'jobs'        => array_slice( $list, $offset, $per ),
		'total'       => $total,
		'total_exact' => true,
		'page'        => intdiv( $offset, $per ) + 1,
		'per_page'    => $per,
		'total_pages' => $pages,
		'next_cursor' => $offset + $per < $total ? $cursor( $offset + $per ) : '',
		'prev_cursor' => $offset > 0 ? $cursor( max( 0, $offset - $per ) ) : '',
	);
}

if ( '/healthz' === $path ) {
	fake_json( 200, array( 'status' => 'ok' ) );
	return;
}
if ( ( $_SERVER['HTTP_AUTHORIZATION'] ?? '' ) !== 'Bearer ' . $secret ) {
	fake_error( 401, 'unauthorized', 'bad secret' );
	return;
}

$jobs = fake_jobs();
$byid = array_column( $jobs, null, 'job_id' );

if ( 'GET' === $method && '/v1/system' === $path ) {
	fake_json( 200, fake_system() );
} elseif ( 'GET' === $method && '/v1/stats' === $path ) {
	$counts = array( 'by_status' => array( 'awaiting_payment' => 0, 'pending' => 0, 'processing' => 1, 'completed' => 1, 'failed' => 1, 'abandoned' => 0 ), 'by_payment_status' => array( 'paid' => 2, 'partially_refunded' => 1 ), 'total' => 3, 'attention' => 1, 'currency' => 'usd' );
	fake_json( 200, 'counts' === ( $_GET['only'] ?? '' ) ? $counts : $counts + array( 'revenue' => 5098, 'cost' => 120, 'refunded' => 300, 'margin' => 4678 ) );
} elseif ( 'GET' === $method && '/v1/jobs' === $path ) {
	$list = $jobs;
	if ( ! empty( $_GET['status'] ) ) {
		$want = explode( ',', $_GET['status'] );
		$list = array_values( array_filter( $list, fn( $j ) => in_array( $j['status'], $want, true ) ) );
	}
	if ( ! empty( $_GET['ids'] ) ) {
		$want = explode( ',', $_GET['ids'] );
		$list = array_values( array_filter( $list, fn( $j ) => in_array( $j['job_id'], $want, true ) ) );
	}
	if ( ! empty( $_GET['attention'] ) ) {
		$list = array_values( array_filter( $list, fn( $j ) => (bool) $j['attention'] ) );
	}
	fake_json( 200, fake_page( $list, $_GET ) );
} elseif ( 'GET' === $method && '/v1/jobs/export.csv' === $path ) {
	header( 'Content-Type: text/csv' );
	while ( ob_get_level() ) {
		ob_end_flush();
	}
	echo "job_id,status,email\n";
	echo '# query: ' . ( $_SERVER['QUERY_STRING'] ?? '' ) . "\n";
	foreach ( $jobs as $job ) {
		flush();
		usleep( 20000 ); // Separate chunks, as a long export would arrive.
		echo $job['job_id'] . ',' . $job['status'] . ',' . $job['email'] . "\n";
	}
} elseif ( 'GET' === $method && preg_match( '#^/v1/jobs/([0-9a-f-]{36})/public$#', $path, $m ) ) {
	if ( ! isset( $byid[ $m[1] ] ) ) {
		fake_error( 404, 'not_found', 'job not found' );
		return;
	}
	$j = $byid[ $m[1] ];
	fake_json( 200, array( 'job_id' => $j['job_id'], 'status' => 'processing' === $j['status'] ? 'completed' : $j['status'], 'payment_status' => $j['payment_status'], 'resolution' => $j['resolution'], 'download_ready' => 'completed' === $j['status'] ) );
} elseif ( 'GET' === $method && preg_match( '#^/v1/jobs/([0-9a-f-]{36})$#', $path, $m ) ) {
	if ( ! isset( $byid[ $m[1] ] ) ) {
		fake_error( 404, 'not_found', 'job not found' );
		return;
	}
	$j = $byid[ $m[1] ];
	fake_json(
		200,
		array(
			'job'                  => $j,
			'durations'            => array( 'paid_after_seconds' => 60, 'processing_seconds' => 60, 'total_seconds' => 125 ),
			'download'             => array( 'token_state' => $j['token_state'], 'expires_at' => $j['download_expires_at'], 'count' => 2 ),
			'refunds'              => array( 'total' => $j['refund_amount'], 'remaining' => $j['amount_charged'] - $j['refund_amount'], 'currency' => 'usd', 'history' => $j['refund_amount'] ? array( array( 'id' => 1, 'stripe_refund_id' => 're_1', 'amount' => $j['refund_amount'], 'currency' => 'usd', 'reason' => 'customer <b>asked</b>', 'actor' => 'wp:1:admin', 'status' => 'succeeded', 'source' => 'admin', 'error' => null, 'created_at' => '2026-12-01T12:10:00Z' ) ) : array() ),
			'events'               => array(
				array( 'id' => 1, 'job_id' => $j['job_id'], 'at' => '2026-12-01T10:00:00.123Z', 'actor' => 'system', 'type' => 'checkout_created', 'from_status' => null, 'to_status' => 'awaiting_payment', 'message' => 'checkout created', 'data' => new stdClass() ),
				array( 'id' => 2, 'job_id' => $j['job_id'], 'at' => '2026-12-01T10:05:00Z', 'actor' => 'system', 'type' => 'downloaded', 'from_status' => null, 'to_status' => null, 'message' => 'file downloaded', 'data' => array( 'ip' => '203.0.113.7' ) ),
				array( 'id' => 3, 'job_id' => $j['job_id'], 'at' => '2026-12-01T10:06:00Z', 'actor' => 'wp:1:admin', 'type' => 'note', 'from_status' => null, 'to_status' => null, 'message' => 'called the <b>customer</b>', 'data' => new stdClass() ),
			),
			'allowed_status_moves' => array( 'pending', 'failed' ),
			'credits_estimate'     => 4,
		)
	);
} elseif ( 'POST' === $method && preg_match( '#^/v1/webhooks/(stripe|upsampler)$#', $path, $m ) ) {
	$body = file_get_contents( 'php://input' );
	fake_json(
		false !== strpos( $body, 'reject-me' ) ? 400 : 200,
		array( 'provider' => $m[1], 'body_b64' => base64_encode( $body ), 'stripe_signature' => $_SERVER['HTTP_STRIPE_SIGNATURE'] ?? null, 'content_type' => $_SERVER['CONTENT_TYPE'] ?? null )
	);
} elseif ( preg_match( '#^/v1/downloads/([A-Za-z0-9]{16,128})$#', $path, $m ) ) {
	$token = $m[1];
	if ( ! preg_match( '/^[0-9a-f]{64}$/', $token ) ) {
		// The original plugin's tokens: say what arrived.
		fake_json( 200, array( 'token' => $token, 'range' => $_SERVER['HTTP_RANGE'] ?? null, 'method' => $method, 'client_ip' => $_SERVER['HTTP_X_SMI_CLIENT_IP'] ?? null ) );
		return;
	}
	if ( str_repeat( 'b', 64 ) === $token ) {
		fake_error( 410, 'gone', 'link expired', array( 'reason' => 'expired' ) );
		return;
	}
	if ( str_repeat( 'e', 64 ) === $token ) {
		// Object storage: the daemon sends the browser to a signed URL.
		http_response_code( 302 );
		header( 'Location: http://objects.example.test/bucket/ab/photo.png?X-Amz-Signature=abc' );
		header( 'Cache-Control: private, no-store' );
		header( 'X-Internal: must-not-leak' );
		return;
	}
	if ( str_repeat( 'c', 64 ) === $token ) {
		fake_json( 200, array( 'client_ip' => $_SERVER['HTTP_X_SMI_CLIENT_IP'] ?? null, 'range' => $_SERVER['HTTP_RANGE'] ?? null ) );
		return;
	}
	if ( str_repeat( 'a', 64 ) !== $token ) {
		fake_error( 404, 'not_found', 'unknown token', array( 'reason' => 'unknown' ) );
		return;
	}
	$content = '';
	for ( $i = 0; $i < 20000; $i++ ) {
		$content .= chr( 65 + $i % 26 );
	}
	header( 'Content-Type: image/png' );
	header( 'Content-Disposition: attachment; filename="photo-4x.png"' );
	header( 'Accept-Ranges: bytes' );
	header( 'X-Internal: must-not-leak' );
	if ( isset( $_SERVER['HTTP_RANGE'] ) && preg_match( '/^bytes=(\d+)-(\d*)$/', $_SERVER['HTTP_RANGE'], $r ) ) {
		$start = (int) $r[1];
		$end   = '' === $r[2] ? strlen( $content ) - 1 : min( (int) $r[2], strlen( $content ) - 1 );
		http_response_code( 206 );
		header( "Content-Range: bytes $start-$end/" . strlen( $content ) );
		header( 'Content-Length: ' . ( $end - $start + 1 ) );
		echo substr( $content, $start, $end - $start + 1 );
		return;
	}
	header( 'Content-Length: ' . strlen( $content ) );
	echo $content;
} elseif ( 'GET' === $method && preg_match( '#^/v1/batches/([A-Za-z0-9_-]+)$#', $path, $m ) ) {
	fake_json( 200, array( 'batch_id' => $m[1], 'action' => 'retry', 'state' => 'done', 'total' => 3, 'done' => 2, 'failed' => 1, 'errors' => array( array( 'job_id' => '33333333-3333-4333-8333-333333333333', 'message' => 'not allowed' ) ), 'created_at' => '2026-12-01T10:00:00Z', 'finished_at' => '2026-12-01T10:00:05Z' ) );
} elseif ( 'POST' === $method && '/v1/jobs/batch' === $path ) {
	$in = json_decode( file_get_contents( 'php://input' ), true );
	if ( isset( $in['filter'] ) ) {
		fake_json( 202, array( 'batch_id' => 'batch_1' ) );
		return;
	}
	$results = array_map( fn( $id ) => array( 'job_id' => $id, 'result' => 'ok', 'error' => null ), $in['job_ids'] ?? array() );
	fake_json( 200, array( 'results' => $results, 'ok' => count( $results ), 'failed' => 0 ) );
} elseif ( 'POST' === $method && preg_match( '#^/v1/batches/([A-Za-z0-9_-]+)/cancel$#', $path, $m ) ) {
	fake_json( 200, array( 'batch_id' => $m[1], 'state' => 'cancelled' ) );
} elseif ( 'POST' === $method && preg_match( '#^/v1/jobs/([0-9a-f-]{36})/(retry|token|refunds|status|email|reconcile|notes)$#', $path, $m ) ) {
	$id = $m[1];
	switch ( $m[2] ) {
		case 'retry':
			fake_json( 200, array( 'job_id' => $id, 'status' => 'pending', 'credits_estimate' => 4, 'message' => 'queued' ) );
			break;
		case 'token':
			fake_json( 200, array( 'job_id' => $id, 'download_url' => 'http://127.0.0.1/smi-download/' . str_repeat( 'a', 64 ), 'expires_at' => '2026-12-03T10:00:00Z', 'email_sent' => false ) );
			break;
		case 'refunds':
			$in = json_decode( file_get_contents( 'php://input' ), true );
			fake_json( 200, array( 'job_id' => $id, 'refund' => array( 'id' => 2, 'amount' => $in['amount'] ?? 999, 'currency' => 'usd', 'status' => 'succeeded', 'reason' => $in['reason'] ?? '' ), 'payment_status' => 'partially_refunded', 'refund_total' => 999, 'remaining' => 0 ) );
			break;
		case 'status':
			$in = json_decode( file_get_contents( 'php://input' ), true );
			fake_json( 200, array( 'job_id' => $id, 'from' => 'failed', 'to' => $in['status'] ?? '' ) );
			break;
		case 'email':
			fake_json( 200, array( 'job_id' => $id, 'email_sent' => true ) );
			break;
		case 'notes':
			$in = json_decode( file_get_contents( 'php://input' ), true );
			fake_json( 201, array( 'job_id' => $id, 'event' => array( 'id' => 4, 'type' => 'note', 'message' => $in['note'] ?? '', 'at' => '2026-12-01T10:07:00Z' ) ) );
			break;
		default:
			fake_json( 200, array( 'job_id' => $id, 'changes' => array() ) );
	}
} elseif ( 'POST' === $method && '/v1/hooks/payment-completed' === $path ) {
	$in = json_decode( file_get_contents( 'php://input' ), true );
	fake_json( 200, array( 'job_id' => $in['job_id'] ?? '', 'status' => 'pending', 'queued' => true, 'message' => 'queued' ) );
} elseif ( 'POST' === $method && '/v1/checkouts' === $path ) {
	$in = json_decode( file_get_contents( 'php://input' ), true );
	fake_json( 201, array( 'job_id' => '44444444-4444-4444-8444-444444444444', 'checkout_url' => ( $in['success_url'] ?? 'http://127.0.0.1/' ), 'amount' => 499, 'currency' => 'usd' ) );
} elseif ( 'GET' === $method && '/v1/prices' === $path ) {
	$w = (int) ( $_GET['image_width'] ?? 0 );
	$h = (int) ( $_GET['image_height'] ?? 0 );
	fake_json( 200, array( 'currency' => 'usd', 'prices' => array( array( 'resolution' => '4x', 'amount' => 499, 'credits' => 4, 'cost' => 40, 'output_width' => 4 * $w, 'output_height' => 4 * $h ), array( 'resolution' => '8x', 'amount' => 999, 'credits' => 8, 'cost' => 80, 'output_width' => 8 * $w, 'output_height' => 8 * $h ) ) ) );
} elseif ( ! fake_reports_route( $method, $path ) ) {
	// The reports were answered by fake_reports_route(), at the end of this file.
	fake_error( 404, 'not_found', "no route $method $path" );
}

// ---- Reports (GET /v1/reports) ---------------------------------------------

/**
 * Three fixed days and two posts, echoing the range asked for so tests can
 * see what the plugin sent. Figures: margin = revenue - refunds - cost.
 *
 * @param string $method HTTP method.
 * @param string $path   Path.
 * @return bool Whether this was a reports request (then it is answered).
 */
function fake_reports_route( string $method, string $path ): bool {
	if ( 'GET' !== $method || '/v1/reports' !== $path ) {
		return false;
	}
	$day  = fn( $date, $o, $r, $f, $c ) => array( 'date' => $date, 'orders' => $o, 'revenue' => $r, 'refunds' => $f, 'cost' => $c, 'margin' => $r - $f - $c );
	$days = array( $day( '2026-11-29', 2, 2598, 0, 80 ), $day( '2026-11-30', 0, 0, 0, 0 ), $day( '2026-12-01', 3, 5098, 300, 120 ) );
	$post = fn( $id, $o, $r, $f, $c ) => array( 'post_id' => $id, 'orders' => $o, 'revenue' => $r, 'refunds' => $f, 'cost' => $c, 'margin' => $r - $f - $c );
	fake_json(
		200,
		array(
			'currency'       => 'usd',
			'tz'             => $_GET['tz'] ?? 'UTC',
			'from'           => $_GET['from'] ?? '2026-11-29',
			'to'             => $_GET['to'] ?? '2026-12-01',
			'totals'         => $day( '', 5, 7696, 300, 200 ),
			'days'           => $days,
			'top_by_revenue' => array( $post( 1, 4, 6397, 300, 160 ), $post( 999999, 1, 1299, 0, 40 ) ),
			'top_by_margin'  => array( $post( 1, 4, 6397, 300, 160 ), $post( 999999, 1, 1299, 0, 40 ) ),
		)
	);
	return true;
}
