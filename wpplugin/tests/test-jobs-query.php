<?php
/**
 * SMI_Jobs_Query: the Jobs screen's request, read once for the list, the
 * actions and the export.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/class-smi-jobs-test-case.php';

class Test_SMI_Jobs_Query extends SMI_Jobs_Test_Case {

	private function query( array $req ): SMI_Jobs_Query {
		return new SMI_Jobs_Query( $req, $this->system() );
	}

	protected function tearDown(): void {
		update_option( 'timezone_string', '' );
		update_option( 'gmt_offset', 0 );
		parent::tearDown();
	}

	public function test_values_are_checked_against_the_daemons_lists(): void {
		$q = $this->query(
			array(
				'status'         => 'failed,bogus',
				'payment_status' => 'disputed',
				'orderby'        => 'amount_charged; DROP TABLE',
				'order'          => 'ASC',
				'post_id'        => '12abc',
				'attachment_id'  => '7',
				'email'          => ' buyer@ ',
				'attention'      => '1',
				'created_to'     => '2026-02-31',
			)
		);
		$this->assertSame(
			array(
				'status'         => 'failed',
				'payment_status' => 'disputed',
				'email'          => 'buyer@',
				'attachment_id'  => 7,
				'attention'      => 1,
			),
			$q->filters
		);
		$this->assertSame( 'created_at', $q->orderby, 'a sort column the daemon does not list falls back' );
		$this->assertSame( 'asc', $q->order );
	}

	public function test_without_the_daemons_lists_no_status_is_trusted(): void {
		$this->serve( array( '/v1/system' => new WP_Error( 'http_request_failed', 'refused' ) ) );
		$q = $this->query( array( 'status' => 'failed', 'orderby' => 'email' ) );
		$this->assertArrayNotHasKey( 'status', $q->filters );
		$this->assertSame( 'created_at', $q->orderby );
	}

	public function test_days_are_the_sites_local_days(): void {
		update_option( 'timezone_string', 'America/New_York' );
		$q      = $this->query(
			array(
				'created_from' => '2026-12-01',
				'created_to'   => '2026-12-01',
			)
		);
		$bounds = $q->daemon_filter();
		$this->assertSame( '2026-12-01T00:00:00-05:00', $bounds['created_from'] );
		$this->assertSame( '2026-12-01T23:59:59-05:00', $bounds['created_to'] );
		// A sale at 23:30 New York time is 04:30 UTC the next day, and inside.
		$sale = strtotime( '2026-12-02T04:30:00Z' );
		$this->assertGreaterThanOrEqual( strtotime( $bounds['created_from'] ), $sale );
		$this->assertLessThanOrEqual( strtotime( $bounds['created_to'] ), $sale );

		// Summer time gives its own offset.
		$summer = $this->query( array( 'created_from' => '2026-07-01' ) )->daemon_filter();
		$this->assertSame( '2026-07-01T00:00:00-04:00', $summer['created_from'] );
	}

	public function test_words_search_post_titles_and_send_their_ids(): void {
		$match = (int) wp_insert_post(
			array(
				'post_title'  => 'Lighthouse at dawn',
				'post_status' => 'publish',
			)
		);
		$other = (int) wp_insert_post(
			array(
				'post_title'  => 'Harbour',
				'post_status' => 'publish',
			)
		);
		$f     = $this->query( array( 's' => 'Lighthouse' ) )->daemon_filter();
		$this->assertSame( (string) $match, $f['post_ids'] );
		$this->assertArrayNotHasKey( 'q', $f );
		unset( $other );
	}

	public function test_ids_emails_and_numbers_go_to_the_daemon_as_they_are(): void {
		foreach ( array( '0b6f3c9e', 'buyer@example.com', '@example.com', '42' ) as $search ) {
			$f = $this->query( array( 's' => $search ) )->daemon_filter();
			$this->assertSame( $search, $f['q'] ?? null, $search );
			$this->assertArrayNotHasKey( 'post_ids', $f );
		}
	}

	public function test_words_without_a_title_match_are_left_to_the_daemon(): void {
		$f = $this->query( array( 's' => 'zzqxnomatch' ) )->daemon_filter();
		$this->assertSame( 'zzqxnomatch', $f['q'] );
	}

	public function test_paging_by_cursor_by_last_and_by_number(): void {
		$by_cursor = $this->query(
			array(
				'cursor' => 'eyJvIjoiY3JlYXRlZF9hdCJ9',
				'paged'  => '7',
			)
		)->list_args( 20 );
		$this->assertSame( 'eyJvIjoiY3JlYXRlZF9hdCJ9', $by_cursor['cursor'] );
		$this->assertArrayNotHasKey( 'page', $by_cursor, 'the page number beside a cursor is for display only' );

		$last = $this->query( array( 'position' => 'last' ) )->list_args( 20 );
		$this->assertSame( 'last', $last['position'] );
		$this->assertArrayNotHasKey( 'page', $last );

		$typed = $this->query( array( 'paged' => '5' ) )->list_args( 20 );
		$this->assertSame( 5, $typed['page'] );
		$this->assertSame( 20, $typed['per_page'] );

		$bad = $this->query( array( 'cursor' => '"><script>' ) )->list_args( 20 );
		$this->assertArrayNotHasKey( 'cursor', $bad );
		$this->assertSame( 1, $bad['page'] );
	}

	public function test_url_args_keep_the_view_but_not_the_page(): void {
		$q = $this->query(
			array(
				'status'  => 'failed',
				's'       => 'x@y.z',
				'junk'    => '1',
				'paged'   => '2',
				'cursor'  => 'abc',
				'orderby' => 'email',
			)
		);
		$this->assertSame(
			array(
				'status'  => 'failed',
				's'       => 'x@y.z',
				'orderby' => 'email',
				'order'   => 'desc',
			),
			$q->url_args()
		);
		$this->assertSame( 'abc', $q->page_args()['cursor'] );
		$this->assertSame( 2, $q->page_args()['paged'] );
	}

	public function test_bulk_action_from_either_apply_button_unless_filtering(): void {
		$apply = array( SMI_Jobs_Query::APPLY => 'Apply' );
		$this->assertSame( 'refund', $this->query( $apply + array( 'action' => '-1', 'action2' => 'refund' ) )->bulk_action );
		$this->assertSame( '', $this->query( $apply + array( 'action' => 'delete_everything' ) )->bulk_action );
		$this->assertSame(
			'',
			$this->query(
				array(
					'action'        => 'retry',
					'filter_action' => 'Filter',
				)
			)->bulk_action
		);
		// Enter in the reason or a search field: the form goes through the
		// search box's button, no Apply, and nothing is refunded.
		$this->assertSame( '', $this->query( array( 'action' => 'refund', 'smi_bulk_reason' => 'typed, then Enter', 's' => '' ) )->bulk_action );
	}

	public function test_system_answer_is_cached_for_a_minute(): void {
		$this->query( array() );
		$this->query( array( 'status' => 'failed' ) );
		$this->assertCount( 1, $this->requests_to( '/v1/system' ) );
		$this->assertNotNull( SMI_Cache::get( SMI_Cache::SYSTEM, SMI_Daemon_System::CACHE_TTL ) );
	}
}
