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
		SMI_Cache::delete( SMI_Cache::ATTENTION );
		$this->serve( array( '/v1/stats' => new WP_Error( 'http_request_failed', 'refused' ) ) );
		$this->assertSame( 'Sell My Images', $this->menu_title() );
		$this->menu_title();
		$this->assertCount( 2, $this->requests_to( '/v1/stats' ), 'a daemon that is down is asked once a minute, not on every page' );
	}

	/**
	 * Every admin page reads the attention count (the menu bubble), and the
	 * plugin's screens the daemon's lists, whether the activation notice is
	 * due and the queued notices. Once cached, a page asks the database
	 * nothing for any of them: WordPress has read the site's autoloaded
	 * options and the user's meta already (a transient with an expiry
	 * would cost two queries each).
	 */
	public function test_a_warm_admin_page_asks_the_database_nothing_for_the_plugins_figures(): void {
		global $wpdb;
		$user = $this->login( 'administrator' );
		$this->serve( array( '/v1/stats' => $this->json( 200, array( 'total' => 40, 'attention' => 7 ) ) ) );
		SMI_Onboarding::activated();
		$this->menu_title();
		$this->system()->statuses();
		SMI_Notices::add( 'success', 'Done.' );
		$this->assertCount( 1, SMI_Notices::pull() );

		// The next request: WordPress starts from an empty object cache,
		// loads the autoloaded options and, logging the user in, their meta.
		wp_cache_flush();
		wp_load_alloptions();
		get_user_meta( $user->ID );
		$requests = count( $this->requests );
		$before   = $wpdb->num_queries;
		$this->assertStringContainsString( 'count-7', $this->menu_title() );
		$this->assertContains( 'completed', $this->system()->statuses() );
		$this->assertSame( array(), SMI_Notices::pull() );
		$this->assertTrue( ( new SMI_Onboarding() )->notice_due() );
		$this->assertSame( 0, $wpdb->num_queries - $before, 'the cached figures cost no query' );
		$this->assertCount( $requests, $this->requests, 'the daemon is not asked either' );
	}

	public function test_a_cached_figure_older_than_its_lifetime_is_asked_again(): void {
		$this->login( 'administrator' );
		$this->serve( array( '/v1/stats' => $this->json( 200, array( 'total' => 40, 'attention' => 5 ) ) ) );
		foreach ( array( -MINUTE_IN_SECONDS - 1, HOUR_IN_SECONDS ) as $shift ) { // A minute old; from a clock set back.
			set_transient(
				SMI_Cache::ATTENTION,
				array(
					'at'    => time() + $shift,
					'value' => array( 'count' => 99 ),
				)
			);
			$this->assertStringContainsString( 'count-5', $this->menu_title() );
		}
		$this->assertCount( 2, $this->requests_to( '/v1/stats' ) );
		SMI_Cache::set( SMI_Cache::ATTENTION, array( 'count' => 3 ) );
		$this->assertStringContainsString( 'count-3', $this->menu_title(), 'a fresh value is used' );
		$this->assertCount( 2, $this->requests_to( '/v1/stats' ) );
	}

	public function test_queued_notices_are_the_users_own_shown_once_and_dropped_when_stale(): void {
		$admin = $this->login( 'administrator' );
		SMI_Notices::add( 'success', 'Refund of $5.00 recorded.' );
		SMI_Notices::add( 'bogus', 'Unknown type.' );
		$queued          = get_user_meta( $admin->ID, SMI_Notices::META, true );
		$queued[0]['at'] = time() - SMI_Notices::LIFETIME; // Queued five minutes ago, never seen.
		update_user_meta( $admin->ID, SMI_Notices::META, $queued );
		$other = $this->login( 'administrator' );
		$this->assertSame( array(), SMI_Notices::pull(), 'another admin does not see them' );
		wp_set_current_user( $admin->ID );
		$this->assertSame( array( array( 'type' => 'info', 'message' => 'Unknown type.' ) ), SMI_Notices::pull() );
		$this->assertSame( '', get_user_meta( $admin->ID, SMI_Notices::META, true ), 'nothing is left behind' );
		$this->assertSame( array(), SMI_Notices::pull() );
		$this->assertNotSame( $admin->ID, $other->ID );
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

	public function test_filter_values_come_back_from_every_link_as_they_were_typed(): void {
		$typed = array(
			'email' => 'john+tag@example.com',
			's'     => 'AT&T #1 50% off?',
		);
		parse_str( (string) wp_parse_url( SMI_Admin_Jobs_Page::list_url( $typed ), PHP_URL_QUERY ), $got );
		$this->assertSame( array( 'page' => 'smi-jobs' ) + $typed, $got, 'the list link' );

		$this->login( 'administrator' );
		$this->serve(
			array(
				'/v1/stats' => $this->json( 200, array( 'by_status' => array( 'completed' => 1 ), 'total' => 1 ) ),
				'/v1/jobs'  => $this->json( 200, array( 'jobs' => array( $this->job( array( 'email' => $typed['email'] ) ) ), 'total' => 1, 'total_exact' => true, 'total_pages' => 1 ) ),
			)
		);
		$_GET = array( 'page' => 'smi-jobs' ) + $typed;
		ob_start();
		$this->page()->render();
		$html = (string) ob_get_clean();
		$this->assertSame( $typed['s'], $this->query_of( $this->requests_to( '/v1/jobs' )[0] )['q'] ?? null, 'the daemon is asked for what was typed' );
		preg_match( '#href="([^"]*)"[^>]*id="smi-export-csv"#', $html, $m );
		parse_str( (string) wp_parse_url( html_entity_decode( $m[1] ?? '' ), PHP_URL_QUERY ), $export );
		$this->assertSame( $typed['email'], $export['email'] ?? null, 'the export link' );
		$this->assertSame( $typed['s'], $export['s'] ?? null, 'the export link' );
		preg_match( '#<a href="([^"]*)" class="smi-email">#', $html, $m );
		parse_str( (string) wp_parse_url( html_entity_decode( $m[1] ?? '' ), PHP_URL_QUERY ), $email );
		$this->assertSame( $typed['email'], $email['email'] ?? null, 'the email cell\'s link' );
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
