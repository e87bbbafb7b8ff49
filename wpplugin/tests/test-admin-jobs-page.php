<?php
/**
 * SMI_Admin_Jobs_Page and SMI_Jobs_Summary: the menu's attention bubble,
 * the money strip, the preview dialog and the export link of the view.
 *
 * @package SellMyImages
 */

require_once __DIR__ . '/class-smi-jobs-test-case.php';

class Test_SMI_Admin_Jobs_Page extends SMI_Jobs_Test_Case {

	private function page(): SMI_Admin_Jobs_Page {
		return new SMI_Admin_Jobs_Page( $this->client(), new SMI_Job_Actions( $this->client(), $this->system() ) );
	}

	private function menu_title(): string {
		global $menu, $submenu;
		$menu    = array();
		$submenu = array();
		$this->page()->add_menu();
		foreach ( $menu as $item ) {
			if ( 'smi-jobs' === $item[2] ) {
				return $item[0];
			}
		}
		$this->fail( 'no Sell My Images menu' );
	}

	public function test_menu_bubble_counts_jobs_that_need_attention_cached_a_minute(): void {
		$this->login( 'administrator' );
		$this->serve( array( '/v1/stats' => $this->json( 200, array( 'total' => 40, 'attention' => 1234 ) ) ) );
		$title = $this->menu_title();
		$this->assertStringContainsString( '<span class="awaiting-mod count-1234" id="smi-attention-bubble"><span class="pending-count" aria-hidden="true">1,234</span>', $title );
		$this->assertStringContainsString( '1,234 jobs need attention', $title );
		$this->assertSame( 'counts', $this->query_of( $this->requests_to( '/v1/stats' )[0] )['only'] );

		$this->menu_title();
		$this->assertCount( 1, $this->requests_to( '/v1/stats' ), 'the count is cached' );
	}

	public function test_no_bubble_without_attention_or_daemon(): void {
		$this->login( 'administrator' );
		$this->serve( array( '/v1/stats' => $this->json( 200, array( 'total' => 40, 'attention' => 0 ) ) ) );
		$this->assertSame( 'Sell My Images', $this->menu_title() );
		delete_transient( SMI_Admin_Jobs_Page::ATTENTION_CACHE );
		$this->serve( array( '/v1/stats' => new WP_Error( 'http_request_failed', 'refused' ) ) );
		$this->assertSame( 'Sell My Images', $this->menu_title() );
		$this->menu_title();
		$this->assertCount( 2, $this->requests_to( '/v1/stats' ), 'a daemon that is down is asked once a minute, not on every page' );
	}

	public function test_screen_shows_the_money_strip_for_the_filter_and_the_preview_dialog(): void {
		$this->login( 'administrator' );
		$this->serve(
			array(
				'/v1/stats' => function ( $url ) {
					parse_str( (string) wp_parse_url( $url, PHP_URL_QUERY ), $q );
					if ( 'counts' === ( $q['only'] ?? '' ) ) {
						return $this->json( 200, array( 'by_status' => array( 'failed' => 3 ), 'total' => 3 ) );
					}
					return $this->json(
						200,
						array(
							'total'    => 3,
							'currency' => 'usd',
							'revenue'  => 5098,
							'refunded' => 300,
							'cost'     => 120,
							'margin'   => 4678,
						)
					);
				},
				'/v1/jobs'  => $this->json( 200, array( 'jobs' => array( $this->job( array( 'status' => 'failed' ) ) ), 'total' => 1, 'total_exact' => true, 'total_pages' => 1 ) ),
			)
		);
		$_GET = array(
			'page'         => 'smi-jobs',
			'status'       => 'failed',
			'created_from' => '2026-11-01',
		);
		ob_start();
		$this->page()->render();
		$html = (string) ob_get_clean();

		$strip = array_values( array_filter( $this->requests_to( '/v1/stats' ), fn( $r ) => ! isset( $this->query_of( $r )['only'] ) ) );
		$this->assertCount( 0, $strip, 'the page does not wait for the money sums' );
		$this->assertStringContainsString( '<ul class="smi-summary" id="smi-summary" aria-label="Totals for this view" aria-busy="true" data-filter="{&quot;status&quot;:&quot;failed&quot;,&quot;created_from&quot;:&quot;2026-11-01T00:00:00+00:00&quot;}">', $html, 'the strip carries the list\'s filter' );
		$this->assertStringContainsString( 'id="smi-summary-revenue">&hellip;<', $html );

		// What the screen's script then asks for.
		$ajax     = new SMI_Admin_Ajax( $this->client() );
		$_REQUEST = array( 'nonce' => wp_create_nonce( SMI_Admin_Ajax::NONCE ) );
		$_POST    = array(
			'filter' => array(
				'status'       => 'failed',
				'created_from' => '2026-11-01T00:00:00+00:00',
				'secret'       => 'x',
			),
		);
		$out      = $this->ajax( fn() => $ajax->job_summary() );
		$this->assertTrue( $out['success'] );
		$strip = array_values( array_filter( $this->requests_to( '/v1/stats' ), fn( $r ) => ! isset( $this->query_of( $r )['only'] ) ) );
		$this->assertCount( 1, $strip );
		$this->assertSame(
			array(
				'status'       => 'failed',
				'created_from' => '2026-11-01T00:00:00+00:00',
			),
			$this->query_of( $strip[0] ),
			'the strip sums the same filter as the list, and only filter keys'
		);
		$this->assertSame(
			array(
				'orders'   => '3',
				'revenue'  => '$50.98',
				'refunded' => '$3.00',
				'cost'     => '$1.20',
				'margin'   => '$46.78',
			),
			$out['data']['figures']
		);
		$this->login( 'subscriber' );
		$this->assertFalse( $this->ajax( fn() => $ajax->job_summary() )['success'], 'capability checked' );
		$this->login( 'administrator' );
		$_REQUEST = array( 'nonce' => 'bad' );
		$this->assertFalse( $this->ajax( fn() => $ajax->job_summary() )['success'], 'nonce checked' );
		$this->assertStringContainsString( '<dialog id="smi-preview"', $html );
		preg_match( '#id="smi-export-csv"#', $html, $m );
		$this->assertNotEmpty( $m );
		$this->assertMatchesRegularExpression( '#href="[^"]*action=smi_export[^"]*status=failed[^"]*created_from=2026-11-01[^"]*_wpnonce=[0-9a-f]+"[^>]*id="smi-export-csv"#', $html );
	}

	public function test_default_hidden_columns_only_on_this_screen(): void {
		$page = $this->page();
		$this->assertSame( array( 'attachment', 'resolution', 'amount_cost' ), $page->default_hidden_columns( array(), convert_to_screen( 'toplevel_page_smi-jobs' ) ) );
		$this->assertSame( array( 'x' ), $page->default_hidden_columns( array( 'x' ), convert_to_screen( 'edit-post' ) ) );
	}

	public function test_export_reads_the_filter_as_the_list_does(): void {
		$this->login( 'administrator' );
		$system = $this->system();
		$system->data(); // Read while the daemon is intercepted.
		$relay  = new SMI_Test_Relay( $this->fake_daemon_client() );
		$export = new SMI_Export( $relay, $system );
		update_option( 'timezone_string', 'America/New_York' );
		ob_start();
		$export->export(
			array(
				'_wpnonce'     => wp_create_nonce( 'smi_export' ),
				'status'       => 'failed,bogus',
				'created_from' => '2026-12-01',
			)
		);
		$csv = (string) ob_get_clean();
		update_option( 'timezone_string', '' );
		$this->assertStringContainsString( '# query: status=failed&created_from=2026-12-01T00%3A00%3A00-05%3A00&orderby=created_at&order=desc', $csv );
	}
}
