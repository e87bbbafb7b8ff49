<?php
/**
 * SMI_Jobs_List_Table and SMI_Jobs_Pager: the daemon query, the rows as the
 * daemon describes them, cursor paging, views, hidden columns, escaping and
 * the number of WordPress queries.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/class-smi-jobs-test-case.php';

class Test_SMI_Jobs_List_Table extends SMI_Jobs_Test_Case {

	/**
	 * Answers /v1/jobs with these jobs and /v1/stats with counts.
	 *
	 * @param array $jobs  Jobs.
	 * @param array $extra Extra list fields.
	 * @param array $stats Counts.
	 */
	private function serve_jobs( array $jobs, array $extra = array(), array $stats = array() ): void {
		$this->serve(
			array(
				'/v1/stats' => $this->json(
					200,
					array_merge(
						array(
							'by_status' => array(
								'completed' => 7,
								'failed'    => 2,
							),
							'total'     => 9,
							'attention' => 2,
						),
						$stats
					)
				),
				'/v1/jobs'  => $this->json(
					200,
					array_merge(
						array(
							'jobs'        => $jobs,
							'total'       => count( $jobs ),
							'total_exact' => true,
							'total_pages' => 1,
							'page'        => 1,
							'next_cursor' => '',
							'prev_cursor' => '',
						),
						$extra
					)
				),
			)
		);
	}

	private function table( array $request = array() ): SMI_Jobs_List_Table {
		if ( ! get_current_user_id() ) {
			$this->login( 'administrator' );
		}
		$_REQUEST = $request;
		$system   = $this->system();
		$table    = new SMI_Jobs_List_Table( $this->client(), new SMI_Jobs_Query( $request, $system ), $system );
		$table->prepare_items();
		return $table;
	}

	private function rows_html( SMI_Jobs_List_Table $table ): string {
		ob_start();
		$table->display_rows();
		return (string) ob_get_clean();
	}

	private function display( SMI_Jobs_List_Table $table ): string {
		ob_start();
		$table->display();
		return (string) ob_get_clean();
	}

	private function list_query(): array {
		$this->assertNotEmpty( $this->requests_to( '/v1/jobs' ), 'no /v1/jobs request' );
		return $this->query_of( $this->requests_to( '/v1/jobs' )[0] );
	}

	public function test_request_is_sent_as_the_daemons_filter(): void {
		$this->serve_jobs( array() );
		$this->table(
			array(
				'status'         => 'failed',
				'payment_status' => 'partially_refunded,bogus',
				'created_from'   => '2026-11-01',
				'email'          => 'buyer',
				's'              => '@example.com',
				'orderby'        => 'amount_charged',
				'order'          => 'ASC',
				'paged'          => '3',
				'attention'      => '1',
			)
		);
		$query = $this->list_query();
		$this->assertSame( 'failed', $query['status'] );
		$this->assertSame( 'partially_refunded', $query['payment_status'] );
		$this->assertSame( '2026-11-01T00:00:00+00:00', $query['created_from'] );
		$this->assertSame( 'buyer', $query['email'], 'an email prefix goes as typed' );
		$this->assertSame( '@example.com', $query['q'] );
		$this->assertSame( 'amount_charged', $query['orderby'] );
		$this->assertSame( 'asc', $query['order'] );
		$this->assertSame( '3', $query['page'] );
		$this->assertSame( '1', $query['attention'] );
		$this->assertSame( '25', $query['per_page'] );
	}

	public function test_per_page_comes_from_the_screen_option_within_the_daemons_limit(): void {
		$this->serve_jobs( array() );
		$user = $this->login( 'administrator' );
		update_user_meta( $user->ID, 'smi_jobs_per_page', 100 );
		$this->table();
		$this->assertSame( '100', $this->list_query()['per_page'] );

		$this->requests = array();
		update_user_meta( $user->ID, 'smi_jobs_per_page', 450 );
		$this->table();
		$this->assertSame( '200', $this->list_query()['per_page'], 'per_page_max from /v1/system' );
	}

	public function test_hostile_values_are_escaped(): void {
		$this->serve_jobs( array( $this->job( array( 'email' => '"><script>alert(1)</script>@x.com', 'resolution' => '<b>4x</b>', 'last_error' => '<img src=x onerror=alert(2)>' ) ) ) );
		$html = $this->rows_html( $this->table() );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringNotContainsString( '<b>4x</b>', $html );
		$this->assertStringNotContainsString( '<img src=x', $html );
		$this->assertStringContainsString( '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@x.com', $html );
		// The preview's JSON sits in an attribute, escaped; decoded, it is the plain text.
		preg_match( '/data-preview="([^"]*)"/', $html, $m );
		$preview = json_decode( html_entity_decode( $m[1], ENT_QUOTES ), true );
		$this->assertContains( array( 'Email', '"><script>alert(1)</script>@x.com' ), $preview['fields'] );
	}

	public function test_columns_render_money_status_error_and_attention(): void {
		$job = $this->job(
			array(
				'job_id'         => 'abcdef12-1111-4111-8111-111111111111',
				'amount_charged' => 123456,
				'refund_amount'  => 300,
				'refundable'     => 123156,
				'amount_cost'    => 45,
				'status'         => 'failed',
				'payment_status' => 'disputed',
				'last_error'     => 'Upsampler answered 500',
				'attention'      => array( 'failed', 'disputed', 'brand_new_code' ),
			)
		);
		$this->serve_jobs( array( $job ) );
		$html = $this->rows_html( $this->table() );
		$this->assertStringContainsString( '$1,234.56', $html );
		$this->assertStringContainsString( '$3.00 refunded', $html );
		$this->assertStringContainsString( '$0.45', $html );
		$this->assertStringContainsString( 'smi-status smi-status-failed', $html );
		$this->assertStringContainsString( '>Disputed</span>', $html );
		$this->assertStringContainsString( '<span class="smi-last-error" title="Upsampler answered 500">Upsampler answered 500</span>', $html );
		$this->assertStringContainsString( 'smi-attention-failed', $html );
		$this->assertStringContainsString( '>brand_new_code</span>', $html, 'an unknown code shows as itself' );
		$this->assertStringContainsString( '<code>abcdef12</code>', $html );
		$this->assertStringContainsString( 'data-refundable="123156"', $html, 'the daemon\'s refundable amount' );
	}

	public function test_row_actions_are_the_daemons(): void {
		$refunded = $this->job( array( 'actions' => $this->only( array( 'retry', 'reconcile' ) ) ) );
		$all      = $this->job();
		$none     = $this->job( array( 'actions' => $this->only( array() ) ) );
		$this->serve_jobs( array( $refunded, $all, $none ) );
		$rows = preg_split( '/<tr id="smi-job-/', $this->rows_html( $this->table() ) );

		$this->assertStringContainsString( 'action=smi_retry', $rows[1] );
		$this->assertStringContainsString( 'action=smi_reconcile', $rows[1] );
		$this->assertStringNotContainsString( 'action=smi_token', $rows[1] );
		$this->assertStringNotContainsString( '#smi-refund-form', $rows[1] );
		foreach ( array( 'action=smi_retry', 'action=smi_token', 'action=smi_email', '#smi-refund-form', 'action=smi_reconcile' ) as $needle ) {
			$this->assertStringContainsString( $needle, $rows[2] );
			$this->assertStringNotContainsString( $needle, $rows[3] );
		}
		$this->assertStringContainsString( 'class="button-link smi-preview"', $rows[3], 'preview is always there' );
		preg_match( '/action=smi_retry&#038;job_id=([0-9a-f-]+)&#038;_wpnonce=([0-9a-f]+)/', $rows[1], $m );
		$this->assertSame( 1, wp_verify_nonce( $m[2], 'smi_retry::' . $m[1] ) );
	}

	public function test_only_the_apply_buttons_say_apply(): void {
		$this->serve_jobs( array( $this->job() ) );
		$html = $this->display( $this->table() );
		foreach ( array( 'doaction', 'doaction2' ) as $id ) {
			$this->assertMatchesRegularExpression( '#<input type="submit" name="' . SMI_Jobs_Query::APPLY . '" id="' . $id . '"#', $html );
		}
		$this->assertSame( 2, substr_count( $html, 'name="' . SMI_Jobs_Query::APPLY . '"' ), 'no other button carries the name' );
	}

	public function test_a_retry_that_needs_a_flag_goes_to_the_details_form(): void {
		$actions          = $this->only( array( 'retry' ) );
		$actions['retry'] = array( 'allowed' => true, 'requires' => array( 'force' ), 'reason' => 'an upscale is running' );
		$this->serve_jobs( array( $this->job( array( 'actions' => $actions ) ) ) );
		$html = $this->rows_html( $this->table() );
		$this->assertStringNotContainsString( 'action=smi_retry', $html, 'no one-click retry' );
		$this->assertMatchesRegularExpression( '#<a href="[^"]*job=[0-9a-f-]+\#smi-retry-form">Retry upscaling…</a>#', $html );
	}

	public function test_pager_moves_by_cursor(): void {
		$this->serve_jobs(
			array( $this->job() ),
			array(
				'total'       => 100,
				'total_pages' => 5,
				'page'        => 0,
				'next_cursor' => 'NEXT_c',
				'prev_cursor' => 'PREV_c',
			)
		);
		$html = $this->display( $this->table( array( 'cursor' => 'HERE_c', 'paged' => '3', 'status' => 'failed' ) ) );
		$this->assertSame( 'HERE_c', $this->list_query()['cursor'] );
		preg_match( '/class="next-page button" href="([^"]+)"/', $html, $next );
		preg_match( '/class="prev-page button" href="([^"]+)"/', $html, $prev );
		preg_match( '/class="last-page button" href="([^"]+)"/', $html, $last );
		preg_match( '/class="first-page button" href="([^"]+)"/', $html, $first );
		$args = function ( array $m ): array {
			parse_str( (string) wp_parse_url( html_entity_decode( $m[1] ), PHP_URL_QUERY ), $q );
			return $q;
		};
		$this->assertSame( array( 'page' => 'smi-jobs', 'status' => 'failed', 'cursor' => 'NEXT_c', 'paged' => '4' ), $args( $next ) );
		$this->assertSame( array( 'page' => 'smi-jobs', 'status' => 'failed', 'cursor' => 'PREV_c', 'paged' => '2' ), $args( $prev ) );
		$this->assertSame( array( 'page' => 'smi-jobs', 'status' => 'failed', 'position' => 'last' ), $args( $last ) );
		$this->assertSame( array( 'page' => 'smi-jobs', 'status' => 'failed' ), $args( $first ) );
		$this->assertStringContainsString( 'value="3"', $html, 'the page number carried beside the cursor' );
		$this->assertStringContainsString( '<span class="total-pages">5</span>', $html );
	}

	public function test_first_and_last_pages_disable_their_ends(): void {
		$this->serve_jobs( array( $this->job() ), array( 'total' => 50, 'total_pages' => 2, 'next_cursor' => 'N' ) );
		$html = $this->display( $this->table() );
		$this->assertStringNotContainsString( 'first-page button', $html );
		$this->assertStringNotContainsString( 'prev-page button', $html );
		$this->assertStringContainsString( 'next-page button', $html );

		$this->requests = array();
		$this->serve_jobs( array( $this->job() ), array( 'total' => 50, 'total_pages' => 2, 'prev_cursor' => 'P' ) );
		$html = $this->display( $this->table( array( 'position' => 'last' ) ) );
		$this->assertSame( 'last', $this->list_query()['position'] );
		$this->assertStringNotContainsString( 'next-page button', $html );
		$this->assertStringNotContainsString( 'last-page button', $html );
		$this->assertStringContainsString( 'value="2"', $html, 'the last page says its number' );
		$this->assertStringContainsString( 'first-page button', $html );
	}

	public function test_an_estimated_total_says_so(): void {
		$this->serve_jobs( array( $this->job() ), array( 'total' => 12400, 'total_exact' => false, 'total_pages' => 496, 'next_cursor' => 'N' ) );
		$html = $this->display( $this->table() );
		$this->assertStringContainsString( '<span class="displaying-num">about 12,400 items</span>', $html );
		$this->assertStringContainsString( '<span class="total-pages">~496</span>', $html );
		$this->assertStringContainsString( 'Apply to all about 12,400 jobs matching this filter', $html );
		$this->assertStringContainsString( 'id="smi-jobs-table"', $html );
	}

	public function test_views_hide_zero_counts_and_offer_needs_attention(): void {
		$this->serve_jobs( array() );
		$table = $this->table( array( 'status' => 'abandoned' ) );
		ob_start();
		$table->views();
		$html = (string) ob_get_clean();
		$this->assertMatchesRegularExpression( '#id="smi-view-all">All <span class="count">\(9\)</span>#', $html );
		$this->assertMatchesRegularExpression( '#id="smi-view-completed">Completed <span class="count">\(7\)</span>#', $html );
		$this->assertMatchesRegularExpression( '#href="[^"]*attention=1[^"]*" id="smi-view-attention">Needs attention <span class="count">\(2\)</span>#', $html );
		$this->assertStringNotContainsString( 'smi-view-awaiting_payment', $html, 'zero-count views are hidden' );
		$this->assertMatchesRegularExpression( '#id="smi-view-abandoned" class="current" aria-current="page">Abandoned <span class="count">\(0\)</span>#', $html, 'except the current one' );
	}

	public function test_less_used_columns_start_hidden_and_the_choice_is_kept(): void {
		$this->serve_jobs( array( $this->job() ) );
		$user = $this->login( 'administrator' );
		set_current_screen( 'toplevel_page_smi-jobs' );
		$table = $this->table();

		list( , $hidden ) = $table->get_column_info();
		$this->assertEqualsCanonicalizing( array( 'attachment', 'resolution', 'amount_cost' ), $hidden );
		$this->assertStringContainsString( 'column-amount_cost hidden', $this->rows_html( $table ) );

		// Screen Options saves the admin's choice; the next page view honours it.
		update_user_option( $user->ID, 'managetoplevel_page_smi-jobscolumnshidden', array( 'email' ) );
		$table = $this->table();

		list( , $hidden ) = $table->get_column_info();
		$this->assertSame( array( 'email' ), $hidden );
		$html = $this->rows_html( $table );
		$this->assertStringContainsString( 'column-email hidden', $html );
		$this->assertStringNotContainsString( 'column-amount_cost hidden', $html );
	}

	public function test_sortable_columns_are_the_daemons_sort_columns(): void {
		$this->serve_jobs( array() );
		$answer                          = self::system_answer();
		$answer['lists']['sort_columns'] = array( 'created_at', 'email' );
		$this->serve( array( '/v1/system' => $this->json( 200, $answer ) ) );
		$table = $this->table();

		list( , , $sortable ) = $table->get_column_info();
		$this->assertSame( array( 'email', 'created_at' ), array_keys( $sortable ) );
	}

	public function test_a_20_row_page_costs_at_most_20_wordpress_queries(): void {
		list( $html, $count ) = $this->page_of_20( false );
		$this->assertSame( 20, substr_count( $html, 'class="smi-thumb' ) );
		$this->assertLessThanOrEqual( 20, $count, "the page made $count WordPress queries" );
		fwrite( STDERR, "\n[measured] WordPress queries for a 20-row Jobs page: $count\n" );
	}

	public function test_rows_of_deleted_posts_do_not_ask_the_database_per_cell(): void {
		list( $html, $count ) = $this->page_of_20( true );
		$this->assertSame( 20, substr_count( $html, '(deleted)' ) );
		$this->assertLessThanOrEqual( 20, $count, "a page of deleted posts made $count WordPress queries" );
		fwrite( STDERR, "\n[measured] WordPress queries for a 20-row Jobs page of deleted posts: $count\n" );
	}

	/**
	 * Shows a 20-row page, each row with its own post and attachment, from
	 * cold caches.
	 *
	 * @param bool $deleted Whether the posts and attachments are deleted first.
	 * @return array The page's HTML and how many WordPress queries it made.
	 */
	private function page_of_20( bool $deleted ): array {
		global $wpdb;
		$this->login( 'administrator' );
		$jobs = array();
		for ( $i = 0; $i < 20; $i++ ) {
			$post = $this->make_post();
			$att  = $this->make_attachment( $post, 'image/jpeg', "p$i.jpg" );
			if ( $deleted ) {
				wp_delete_post( $att, true );
				wp_delete_post( $post, true );
			}
			$jobs[] = $this->job(
				array(
					'post_id'       => $post,
					'attachment_id' => $att,
				)
			);
		}
		$this->serve_jobs( $jobs );
		SMI_Daemon_System::flush();
		wp_cache_flush();
		$before = $wpdb->num_queries;
		$table  = $this->table();
		$html   = $this->display( $table );
		$this->assertCount( 20, $table->items );
		return array( $html, $wpdb->num_queries - $before );
	}

	public function test_daemon_down_leaves_an_error_and_no_rows(): void {
		$this->serve(
			array(
				'/v1/jobs'  => new WP_Error( 'http_request_failed', 'refused' ),
				'/v1/stats' => new WP_Error( 'http_request_failed', 'refused' ),
			)
		);
		$table = $this->table();
		$this->assertInstanceOf( WP_Error::class, $table->error );
		$this->assertSame( 'smi_daemon_unreachable', $table->error->get_error_code() );
		$this->assertStringContainsString( 'could not be loaded', $this->display( $table ) );
	}

	public function test_created_shows_time_ago_for_the_last_day(): void {
		$recent = gmdate( 'Y-m-d\TH:i:s\Z', time() - 300 );
		$this->serve_jobs( array( $this->job( array( 'created_at' => $recent ) ), $this->job( array( 'created_at' => '2026-01-02T10:00:00Z' ) ) ) );
		$html = $this->rows_html( $this->table() );
		$this->assertStringContainsString( '<time datetime="' . $recent . '"', $html );
		$this->assertStringContainsString( '>5 mins ago</time>', $html );
		$this->assertStringContainsString( '>' . wp_date( get_option( 'date_format' ), strtotime( '2026-01-02T10:00:00Z' ) ), $html );
	}
}
