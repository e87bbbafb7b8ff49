<?php
/**
 * SMI_Jobs_List_Table: the daemon query, column rendering and escaping.
 *
 * @package SellMyImages
 */

class Test_SMI_Jobs_List_Table extends SMI_Test_Case {

	/**
	 * Answers /v1/jobs with these jobs and /v1/stats with counts.
	 *
	 * @param array $jobs  Jobs.
	 * @param array $extra Extra list fields.
	 */
	private function serve_jobs( array $jobs, array $extra = array() ): void {
		$this->respond(
			function ( $url ) use ( $jobs, $extra ) {
				if ( false !== strpos( $url, '/v1/stats' ) ) {
					return $this->json( 200, array( 'by_status' => array( 'completed' => 7, 'failed' => 2 ), 'total' => 9 ) );
				}
				return $this->json( 200, array_merge( array( 'jobs' => $jobs, 'total' => count( $jobs ), 'total_capped' => false, 'total_pages' => 1 ), $extra ) );
			}
		);
	}

	private function table( array $request = array() ): SMI_Jobs_List_Table {
		$this->login( 'administrator' );
		$_REQUEST = $request;
		$table    = new SMI_Jobs_List_Table( $this->client(), $request );
		$table->prepare_items();
		return $table;
	}

	private function rows_html( SMI_Jobs_List_Table $table ): string {
		ob_start();
		$table->display_rows();
		return (string) ob_get_clean();
	}

	private function jobs_request(): array {
		foreach ( $this->requests as $req ) {
			if ( false !== strpos( $req['url'], '/v1/jobs' ) ) {
				return $req;
			}
		}
		$this->fail( 'no /v1/jobs request' );
	}

	public function test_request_filters_are_whitelisted_and_mapped(): void {
		$this->serve_jobs( array() );
		$this->table(
			array(
				'status'         => 'failed',
				'payment_status' => 'partially_refunded,bogus',
				'created_from'   => '2026-11-01',
				'created_to'     => '2026-02-31',
				'email'          => ' buyer@example.com ',
				'post_id'        => '12',
				'attachment_id'  => 'abc',
				's'              => '@example.com',
				'orderby'        => 'amount_charged; DROP TABLE',
				'order'          => 'ASC',
				'paged'          => '3',
			)
		);
		parse_str( (string) wp_parse_url( $this->jobs_request()['url'], PHP_URL_QUERY ), $query );
		$this->assertSame( 'failed', $query['status'] );
		$this->assertSame( 'partially_refunded', $query['payment_status'] );
		$this->assertSame( '2026-11-01', $query['created_from'] );
		$this->assertArrayNotHasKey( 'created_to', $query, 'an impossible date is dropped' );
		$this->assertSame( 'buyer@example.com', $query['email'] );
		$this->assertSame( '12', $query['post_id'] );
		$this->assertArrayNotHasKey( 'attachment_id', $query );
		$this->assertSame( '@example.com', $query['q'] );
		$this->assertSame( 'created_at', $query['orderby'], 'unknown orderby falls back' );
		$this->assertSame( 'asc', $query['order'] );
		$this->assertSame( '3', $query['page'] );
		$this->assertSame( '25', $query['per_page'] );
	}

	public function test_per_page_comes_from_the_screen_option(): void {
		$this->serve_jobs( array() );
		$user = $this->login( 'administrator' );
		update_user_meta( $user->ID, 'smi_jobs_per_page', 100 );
		$table = new SMI_Jobs_List_Table( $this->client(), array() );
		$table->prepare_items();
		$this->assertStringContainsString( 'per_page=100', $this->jobs_request()['url'] );
	}

	public function test_hostile_email_is_escaped(): void {
		$this->serve_jobs( array( $this->job( array( 'email' => '"><script>alert(1)</script>@x.com', 'resolution' => '<b>4x</b>' ) ) ) );
		$html = $this->rows_html( $this->table() );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringNotContainsString( '<b>4x</b>', $html );
		$this->assertStringContainsString( '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@x.com', $html );
	}

	public function test_columns_render_money_status_and_link(): void {
		$job  = $this->job( array( 'job_id' => 'abcdef12-1111-4111-8111-111111111111', 'amount_charged' => 123456, 'refund_amount' => 300, 'amount_cost' => 45, 'status' => 'failed', 'payment_status' => 'partially_refunded' ) );
		$this->serve_jobs( array( $job ) );
		$html = $this->rows_html( $this->table() );
		$this->assertStringContainsString( '$1,234.56', $html );
		$this->assertStringContainsString( '$3.00 refunded', $html );
		$this->assertStringContainsString( '$0.45', $html );
		$this->assertStringContainsString( 'smi-status smi-status-failed', $html );
		$this->assertStringContainsString( 'smi-payment-partially_refunded', $html );
		$this->assertStringContainsString( '<code>abcdef12</code>', $html );
		$this->assertStringContainsString( 'page=smi-jobs&#038;job=abcdef12-1111-4111-8111-111111111111', $html );
		$this->assertStringContainsString( 'data-refundable="123156"', $html );
		$this->assertStringContainsString( 'data-credits="4"', $html );
	}

	public function test_thumbnail_uses_the_attachment_else_the_image_url(): void {
		$post  = $this->make_post();
		$image = $this->make_attachment( $post );
		$this->serve_jobs(
			array(
				$this->job( array( 'attachment_id' => $image, 'post_id' => $post ) ),
				$this->job( array( 'attachment_id' => 0, 'image_url' => 'https://cdn.example.com/a.jpg"onerror="x' ) ),
			)
		);
		$html = $this->rows_html( $this->table() );
		$this->assertStringContainsString( wp_get_attachment_url( $image ), $html );
		$this->assertStringContainsString( 'post.php?post=' . $post . '&#038;action=edit', $html );
		$this->assertStringNotContainsString( '"onerror="', $html );
	}

	public function test_row_actions_fit_the_state(): void {
		$failed    = $this->job( array( 'status' => 'failed', 'payment_status' => 'refunded', 'refund_amount' => 1299, 'token_state' => 'none' ) );
		$completed = $this->job( array( 'status' => 'completed', 'token_state' => 'active' ) );
		$waiting   = $this->job( array( 'status' => 'awaiting_payment', 'payment_status' => 'pending', 'token_state' => 'none' ) );
		$this->serve_jobs( array( $failed, $completed, $waiting ) );
		$html  = $this->rows_html( $this->table() );
		$rows  = preg_split( '/<tr id="smi-job-/', $html );
		$first = $rows[1];
		$this->assertStringContainsString( 'action=smi_retry', $first );
		$this->assertStringNotContainsString( 'action=smi_token', $first );
		$this->assertStringNotContainsString( '#smi-refund-form', $first, 'fully refunded: no refund action' );
		$this->assertStringNotContainsString( 'force=1', $first );
		$second = $rows[2];
		$this->assertStringContainsString( 'action=smi_token', $second );
		$this->assertStringContainsString( 'action=smi_email', $second );
		$this->assertStringContainsString( '#smi-refund-form', $second );
		$this->assertStringContainsString( 'force=1', $second );
		$third = $rows[3];
		$this->assertStringNotContainsString( 'action=smi_retry', $third );
		$this->assertStringContainsString( 'action=smi_reconcile', $third );
		// The per-row nonce is smi_<action>::<job_id>.
		preg_match( '/action=smi_retry&#038;job_id=([0-9a-f-]+)&#038;_wpnonce=([0-9a-f]+)/', $first, $m );
		$this->assertSame( 1, wp_verify_nonce( $m[2], 'smi_retry::' . $m[1] ) );
	}

	public function test_capped_total_says_plus(): void {
		$this->serve_jobs( array( $this->job() ), array( 'total' => 10000, 'total_capped' => true, 'total_pages' => 400 ) );
		$table = $this->table();
		ob_start();
		$table->display();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( '10,000+ items', $html );
		$this->assertStringContainsString( 'id="smi-jobs-table"', $html );
		$this->assertStringContainsString( 'id="smi-apply-all"', $html );
		$this->assertStringContainsString( 'Apply to all 10,000+ jobs matching this filter', $html );
	}

	public function test_views_show_counts_from_stats(): void {
		$this->serve_jobs( array() );
		$table = $this->table( array( 'status' => 'failed' ) );
		ob_start();
		$table->views();
		$html = (string) ob_get_clean();
		$this->assertMatchesRegularExpression( '#id="smi-view-all">All <span class="count">\(9\)</span>#', $html );
		$this->assertMatchesRegularExpression( '#id="smi-view-completed">Completed <span class="count">\(7\)</span>#', $html );
		$this->assertMatchesRegularExpression( '#id="smi-view-failed" class="current" aria-current="page">Failed#', $html );
		$this->assertStringContainsString( 'Awaiting payment <span class="count">(0)</span>', $html );
	}

	public function test_daemon_down_leaves_an_error_and_no_rows(): void {
		$this->respond( fn() => new WP_Error( 'http_request_failed', 'refused' ) );
		$table = $this->table();
		$this->assertInstanceOf( WP_Error::class, $table->error );
		$this->assertSame( 'smi_daemon_unreachable', $table->error->get_error_code() );
		ob_start();
		$table->display();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'could not be loaded', $html );
	}

	public function test_view_args_keep_the_filter_for_redirects(): void {
		$args = SMI_Jobs_List_Table::view_args( array( 'status' => 'failed', 's' => 'x@y.z', 'junk' => '1', 'paged' => '2', 'orderby' => 'email' ) );
		$this->assertSame( array( 'status' => 'failed', 's' => 'x@y.z', 'orderby' => 'email', 'order' => 'desc', 'paged' => 2 ), $args );
	}
}
