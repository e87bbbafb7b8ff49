<?php
/**
 * Plugin Name: SMI original Jobs page (benchmark replay)
 * Description: Written by internal/benchmark/wpscreen into its throw-away site. The original PHP-only plugin's Jobs page, replayed on legacy_smi_jobs: its queries through $wpdb (status counts, COUNT(*), then SELECT * … ORDER BY created_at DESC LIMIT n OFFSET m), rendered as a plain table in the admin chrome, as that plugin did. Also an empty admin page, the floor of any screen.
 *
 * @package SellMyImages
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the two pages.
 */
function smi_bench_legacy_menu() {
	add_menu_page( 'Jobs (original plugin)', 'Jobs (original)', 'manage_options', 'smi-legacy-jobs', 'smi_bench_legacy_render', 'dashicons-list-view', 59 );
	add_menu_page( 'Empty screen', 'Empty screen', 'manage_options', 'smi-bench-empty', 'smi_bench_empty_render', 'dashicons-marker', 60 );
}
add_action( 'admin_menu', 'smi_bench_legacy_menu' );

/**
 * The floor: an admin screen that does nothing of its own.
 */
function smi_bench_empty_render() {
	echo '<div class="wrap"><h1>Empty screen</h1><p id="smi-bench-empty">Nothing here.</p></div>';
}

/**
 * The original page's data: the status counts for its views, the total for
 * its pagination and one page of rows, straight from the table. Query
 * arguments as that page took them: status, payment_status, search,
 * per_page (10–100, default 25) and paged.
 *
 * @return array{counts: array, total: int, jobs: array, paged: int, per_page: int}
 */
function smi_bench_legacy_data() {
	global $wpdb;
	// phpcs:disable WordPress.Security.NonceVerification.Recommended, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- a read-only view; the table name is a constant.
	$table    = 'legacy_smi_jobs';
	$per_page = isset( $_GET['per_page'] ) ? (int) $_GET['per_page'] : 25;
	$per_page = max( 10, min( 100, $per_page ) );
	$paged    = isset( $_GET['paged'] ) ? max( 1, (int) $_GET['paged'] ) : 1;
	$where    = array( '1=1' );
	$args     = array();
	foreach ( array( 'status', 'payment_status' ) as $key ) {
		$value = isset( $_GET[ $key ] ) ? sanitize_text_field( wp_unslash( $_GET[ $key ] ) ) : 'all';
		if ( '' !== $value && 'all' !== $value ) {
			$where[] = "{$key} = %s";
			$args[]  = $value;
		}
	}
	$search = isset( $_GET['search'] ) ? sanitize_text_field( wp_unslash( $_GET['search'] ) ) : '';
	if ( '' !== $search ) {
		$where[] = '(email LIKE %s OR job_id LIKE %s)';
		$like    = '%' . $wpdb->esc_like( $search ) . '%';
		$args[]  = $like;
		$args[]  = $like;
	}
	$where = implode( ' AND ', $where );

	$t0     = hrtime( true );
	$counts = $wpdb->get_results( "SELECT status, COUNT(*) AS n FROM {$table} GROUP BY status" );
	$t1     = hrtime( true );
	$count  = "SELECT COUNT(*) FROM {$table} WHERE {$where}";
	$total  = (int) $wpdb->get_var( $args ? $wpdb->prepare( $count, ...$args ) : $count );
	$t2     = hrtime( true );
	$jobs   = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE {$where} ORDER BY created_at DESC LIMIT %d OFFSET %d", ...array_merge( $args, array( $per_page, ( $paged - 1 ) * $per_page ) ) ) );
	$t3     = hrtime( true );
	// phpcs:enable
	$GLOBALS['smi_bench']['sql_ns']   += $t3 - $t0;
	$GLOBALS['smi_bench']['sql_parts'] = array( $t1 - $t0, $t2 - $t1, $t3 - $t2 );

	return array(
		'counts'   => (array) $counts,
		'total'    => $total,
		'jobs'     => (array) $jobs,
		'paged'    => $paged,
		'per_page' => $per_page,
	);
}

/**
 * The page: status views with counts, filters and search, "Showing a–b of
 * n", the table and the pagination, the way the original plugin drew them.
 */
function smi_bench_legacy_render() {
	$data   = smi_bench_legacy_data();
	$status = isset( $_GET['status'] ) ? sanitize_text_field( wp_unslash( $_GET['status'] ) ) : 'all'; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only.
	$search = isset( $_GET['search'] ) ? sanitize_text_field( wp_unslash( $_GET['search'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only.
	$base   = admin_url( 'admin.php?page=smi-legacy-jobs' );
	$all    = 0;
	foreach ( $data['counts'] as $row ) {
		$all += (int) $row->n;
	}
	echo '<div class="wrap"><h1>' . esc_html__( 'Jobs Management', 'sell-my-images' ) . '</h1>';

	echo '<ul class="subsubsub">';
	printf( '<li><a href="%s"%s>All <span class="count">(%s)</span></a></li>', esc_url( $base ), 'all' === $status ? ' class="current"' : '', esc_html( number_format_i18n( $all ) ) );
	foreach ( $data['counts'] as $row ) {
		printf(
			' | <li><a href="%s"%s>%s <span class="count">(%s)</span></a></li>',
			esc_url( add_query_arg( 'status', $row->status, $base ) ),
			$status === $row->status ? ' class="current"' : '',
			esc_html( ucwords( str_replace( '_', ' ', (string) $row->status ) ) ),
			esc_html( number_format_i18n( (int) $row->n ) )
		);
	}
	echo '</ul><br class="clear" />';

	echo '<form method="get" class="smi-jobs-controls"><input type="hidden" name="page" value="smi-legacy-jobs" />';
	echo '<select name="status"><option value="all">' . esc_html__( 'All Statuses', 'sell-my-images' ) . '</option>';
	foreach ( array( 'pending', 'awaiting_payment', 'processing', 'completed', 'failed', 'abandoned' ) as $s ) {
		printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $s ), selected( $status, $s, false ), esc_html( ucwords( str_replace( '_', ' ', $s ) ) ) );
	}
	echo '</select> ';
	printf( '<input type="search" name="search" value="%s" placeholder="%s" /> ', esc_attr( $search ), esc_attr__( 'Email or job ID', 'sell-my-images' ) );
	submit_button( __( 'Filter', 'sell-my-images' ), '', '', false );
	$start = ( $data['paged'] - 1 ) * $data['per_page'] + 1;
	$end   = min( $data['paged'] * $data['per_page'], $data['total'] );
	/* translators: 1: first row shown, 2: last row shown, 3: number of jobs. */
	printf( ' <span class="smi-pagination-info">' . esc_html__( 'Showing %1$d-%2$d of %3$d jobs', 'sell-my-images' ) . '</span>', (int) $start, (int) $end, (int) $data['total'] );
	echo '</form>';

	if ( ! $data['jobs'] ) {
		echo '<p>' . esc_html__( 'No jobs found.', 'sell-my-images' ) . '</p></div>';
		return;
	}
	echo '<table class="widefat striped smi-jobs-table" id="smi-legacy-jobs-table"><thead><tr>';
	foreach ( array( 'Job ID', 'Image', 'Customer', 'Status', 'Payment', 'Resolution', 'Amount', 'Created', 'Actions' ) as $heading ) {
		echo '<th>' . esc_html( $heading ) . '</th>';
	}
	echo '</tr></thead><tbody>';
	foreach ( $data['jobs'] as $job ) {
		printf( '<tr class="smi-legacy-row" data-job-id="%s">', esc_attr( $job->job_id ) );
		printf( '<td><div class="smi-job-id" title="%s">%s</div></td>', esc_attr( $job->job_id ), esc_html( substr( $job->job_id, 0, 8 ) . '...' ) );
		echo $job->image_url ? '<td><img src="' . esc_url( $job->image_url ) . '" alt="" class="smi-image-preview" width="50" height="50" /></td>' : '<td>—</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in place.
		printf( '<td><div class="smi-email" title="%1$s">%1$s</div></td>', esc_html( $job->email ) );
		printf( '<td><span class="smi-status %1$s">%2$s</span></td>', esc_attr( (string) $job->status ), esc_html( ucfirst( (string) $job->status ) ) );
		printf( '<td><span class="smi-payment-status %1$s">%2$s</span></td>', esc_attr( (string) $job->payment_status ), esc_html( ucfirst( (string) $job->payment_status ) ) );
		echo '<td>' . esc_html( $job->resolution ) . '</td>';
		echo '<td>' . ( $job->amount_charged ? '$' . esc_html( number_format( (float) $job->amount_charged, 2 ) ) : '—' ) . '</td>';
		echo '<td>' . esc_html( gmdate( 'M j, Y g:i A', (int) strtotime( (string) $job->created_at ) ) ) . '</td>';
		if ( in_array( $job->status, array( 'pending', 'failed' ), true ) || ( 'awaiting_payment' === $job->status && 'paid' === $job->payment_status ) ) {
			printf( '<td><button type="button" class="button smi-retry-btn" data-job-id="%s">%s</button></td>', esc_attr( $job->job_id ), esc_html__( 'Retry Upscale', 'sell-my-images' ) );
		} else {
			echo '<td>—</td>';
		}
		echo '</tr>';
	}
	echo '</tbody></table>';

	$pages = (int) ceil( $data['total'] / $data['per_page'] );
	if ( $pages > 1 ) {
		$here = remove_query_arg( 'paged' );
		echo '<div class="tablenav"><div class="tablenav-pages smi-pagination-nav">';
		$links = array( 1 => '&laquo; First' );
		if ( $data['paged'] > 1 ) {
			$links[ $data['paged'] - 1 ] = '&lsaquo; Prev';
		}
		foreach ( $links as $n => $label ) {
			printf( '<a class="button" href="%s">%s</a> ', esc_url( add_query_arg( 'paged', $n, $here ) ), $label ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- fixed entities.
		}
		for ( $i = max( 1, $data['paged'] - 2 ); $i <= min( $pages, $data['paged'] + 2 ); $i++ ) {
			if ( $i === $data['paged'] ) {
				printf( '<span class="button disabled current">%d</span> ', (int) $i );
			} else {
				printf( '<a class="button" href="%s">%d</a> ', esc_url( add_query_arg( 'paged', $i, $here ) ), (int) $i );
			}
		}
		if ( $data['paged'] < $pages ) {
			printf( '<a class="button" href="%s">Next &rsaquo;</a> ', esc_url( add_query_arg( 'paged', $data['paged'] + 1, $here ) ) );
		}
		printf( '<a class="button" href="%s">Last &raquo;</a>', esc_url( add_query_arg( 'paged', $pages, $here ) ) );
		echo '</div></div>';
	}
	echo '</div>';
}
