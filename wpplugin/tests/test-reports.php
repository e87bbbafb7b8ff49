<?php
/**
 * SMI_Reports: the Reports page and the dashboard widget.
 *
 * @package SellMyImages
 */

class Test_SMI_Reports extends SMI_Test_Case {

	private function render( SMI_Reports $reports, string $method = 'render' ): string {
		ob_start();
		try {
			$reports->$method();
		} finally {
			$html = (string) ob_get_clean();
		}
		return $html;
	}

	private function report( array $posts, array $days ): array {
		return array(
			'currency'       => 'usd',
			'tz'             => 'UTC',
			'from'           => '2026-12-01',
			'to'             => '2026-12-01',
			'totals'         => array( 'orders' => 1, 'revenue' => 100, 'refunds' => 0, 'cost' => 10, 'margin' => 90 ),
			'days'           => $days,
			'top_by_revenue' => $posts,
			'top_by_margin'  => $posts,
		);
	}

	public function test_page_shows_the_daemons_figures_chart_table_and_titles(): void {
		$this->login( 'administrator' );
		$html = $this->render( new SMI_Reports( $this->fake_daemon_client() ) );

		// Totals of the fake daemon: 5 orders, $76.96 revenue, $3.00 refunds, $2.00 cost, $71.96 margin.
		$this->assertMatchesRegularExpression( '#data-figure="orders" data-value="5"><span>Orders</span> <strong>5</strong>#', $html );
		$this->assertStringContainsString( '<strong>$76.96</strong>', $html );
		$this->assertStringContainsString( '<strong>$3.00</strong>', $html );
		$this->assertStringContainsString( '<strong>$71.96</strong>', $html );
		// The chart: one bar per day, the empty day with no height, an accessible name.
		$this->assertStringContainsString( 'role="img" aria-labelledby="smi-chart-title smi-chart-desc"', $html );
		$this->assertSame( 3, substr_count( $html, '<rect ' ) );
		$this->assertMatchesRegularExpression( '#data-date="2026-11-30" data-revenue="0"><title>2026-11-30: \$0.00</title>#', $html );
		$this->assertMatchesRegularExpression( '#<rect x="[\d.]+" y="0.00" width="[\d.]+" height="200.00" fill="\#2271b1" data-date="2026-12-01"#', $html, 'the best day fills the chart' );
		// The table fallback.
		$this->assertMatchesRegularExpression( '#<tr data-date="2026-12-01"><th scope="row">2026-12-01</th><td class="num" data-figure="orders">3</td><td class="num" data-figure="revenue">\$50.98</td><td class="num" data-figure="refunds">\$3.00</td><td class="num" data-figure="cost">\$1.20</td><td class="num" data-figure="margin">\$46.78</td>#', $html );
		// Post 1 is the fake's; 999999 does not exist.
		$this->assertStringContainsString( 'Post #999999 (deleted)', $html );
		$this->assertStringContainsString( esc_html( get_the_title( 1 ) ), $html );
		$this->assertStringContainsString( '<form method="get" class="smi-reports-range" data-tz="+00:00">', $html );
		$this->assertStringNotContainsString( '_smi_nonce', $html, 'a bookmarked range must not expire' );
	}

	public function test_a_bookmarked_range_works_and_sends_site_local_days(): void {
		$this->login( 'administrator' );
		update_option( 'timezone_string', 'Europe/Berlin' );
		// As bookmarked or shared days later: no nonce in the URL.
		$_GET = array(
			'page' => 'smi-reports',
			'from' => '2026-10-01',
			'to'   => '2026-10-31',
		);
		$this->respond( fn() => $this->json( 200, $this->report( array(), array() ) ) );
		$html = $this->render( new SMI_Reports( $this->client() ) );
		$this->assertStringContainsString( '/v1/reports?from=2026-10-01&to=2026-10-31&tz=Europe%2FBerlin', $this->requests[0]['url'] );
		$this->assertStringContainsString( 'value="2026-10-01"', $html );
		$this->assertStringContainsString( 'No sales in this range.', $html );

		$_GET['from']   = '2026-13-45"><script>';
		$this->requests = array();
		$this->render( new SMI_Reports( $this->client() ) );
		$this->assertMatchesRegularExpression( '#from=\d{4}-\d{2}-\d{2}&to=2026-10-31#', $this->requests[0]['url'], 'a bad date falls back to the default' );
	}

	public function test_only_managers_see_the_page_and_the_widget(): void {
		$this->login( 'editor' );
		try {
			$this->render( new SMI_Reports( $this->client() ) );
			$this->fail( 'an editor saw the reports' );
		} catch ( SMI_Test_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertSame( '', $this->render( new SMI_Reports( $this->client() ), 'render_widget' ) );
		$this->assertSame( array(), $this->requests );
	}

	public function test_top_post_titles_come_from_one_query_and_are_escaped(): void {
		global $wpdb;
		$this->login( 'administrator' );
		$posts = array();
		for ( $i = 0; $i < 10; $i++ ) {
			$id      = self::factory_post( "Title $i <script>x</script>" );
			$posts[] = array( 'post_id' => $id, 'orders' => 1, 'revenue' => 1000 - $i, 'refunds' => 0, 'cost' => 10, 'margin' => 990 - $i );
		}
		wp_cache_flush();
		$days = array( array( 'date' => '2026-12-01"><script>', 'orders' => 1, 'revenue' => 100, 'refunds' => 0, 'cost' => 10, 'margin' => 90 ) );
		$this->respond( fn() => $this->json( 200, $this->report( $posts, $days ) ) );
		$selects = 0;
		$count   = function ( $q ) use ( &$selects, $wpdb ) {
			if ( false !== strpos( $q, $wpdb->posts ) ) {
				++$selects;
			}
			return $q;
		};
		add_filter( 'query', $count );
		$html = $this->render( new SMI_Reports( $this->client() ) );
		remove_filter( 'query', $count );
		$this->assertSame( 1, $selects, 'post titles of 10 posts in one query' );
		$this->assertStringContainsString( 'Title 9 &lt;script&gt;x&lt;/script&gt;', $html );
		$this->assertStringNotContainsString( '<script>', $html );
	}

	public function test_widget_shows_last_7_days_and_attention_count(): void {
		$this->login( 'administrator' );
		$html = $this->render( new SMI_Reports( $this->fake_daemon_client() ), 'render_widget' );
		$this->assertStringContainsString( '<li data-figure="orders" data-value="5">Orders: <strong>5</strong></li>', $html );
		$this->assertStringContainsString( '<li data-figure="revenue" data-value="7696">Revenue: <strong>$76.96</strong></li>', $html );
		$this->assertStringContainsString( '<li data-figure="refunds" data-value="300">Refunds: <strong>$3.00</strong></li>', $html );
		$this->assertStringContainsString( '<li data-figure="margin" data-value="7196">Margin: <strong>$71.96</strong></li>', $html );
		$this->assertStringNotContainsString( 'data-figure="cost"', $html );
		// Of the fake's 3 jobs, the failed one needs attention.
		$this->assertStringContainsString( 'data-count="1"', $html );
		$this->assertStringContainsString( '1 job needs attention', $html );
		$this->assertStringContainsString( 'page=smi-jobs&#038;attention=1', $html );
	}

	public function test_widget_asks_for_seven_local_days_and_degrades_when_attention_is_unknown(): void {
		$this->login( 'administrator' );
		update_option( 'timezone_string', 'Pacific/Kiritimati' );
		$this->respond(
			function ( $url ) {
				if ( false !== strpos( $url, '/v1/jobs' ) ) {
					return $this->json( 400, array( 'error' => array( 'code' => 'invalid', 'message' => 'unknown parameter "attention"', 'param' => 'attention' ) ) );
				}
				return $this->json( 200, $this->report( array(), array() ) );
			}
		);
		$html  = $this->render( new SMI_Reports( $this->client() ), 'render_widget' );
		$today = new DateTimeImmutable( 'now', new DateTimeZone( 'Pacific/Kiritimati' ) );
		$this->assertStringContainsString( 'from=' . $today->modify( '-6 days' )->format( 'Y-m-d' ) . '&to=' . $today->format( 'Y-m-d' ) . '&tz=Pacific%2FKiritimati', $this->requests[0]['url'] );
		$this->assertStringContainsString( 'attention=1&per_page=1', $this->requests[1]['url'] );
		$this->assertStringContainsString( 'cannot count the jobs needing attention', $html );
		$this->assertStringContainsString( '<strong>$0.90</strong>', $html );
	}

	public function test_money_uses_the_locale_and_the_currency_digits(): void {
		$this->assertTrue( class_exists( 'NumberFormatter' ), 'ext-intl is loaded here' );
		$this->assertSame( '€1,234.56', SMI_Reports::money( 123456, 'eur' ) );
		$this->assertSame( '¥1,234', SMI_Reports::money( 1234, 'jpy' ) );
		$this->assertSame( '-$0.05', SMI_Reports::money( -5, 'usd' ) );
	}

	private static function factory_post( string $title ): int {
		return (int) wp_insert_post(
			array(
				'post_title'  => $title,
				'post_status' => 'publish',
				'post_type'   => 'post',
			)
		);
	}
}
