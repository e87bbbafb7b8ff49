<?php
/**
 * Sell My Images > Reports and the dashboard widget.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * The money over a range of the site's local days, from the daemon's
 * GET /v1/reports: a daily bar chart (inline SVG drawn here, with the same
 * figures in a table), the top posts by revenue and by margin, and a
 * dashboard widget with the last 7 days and the jobs needing attention.
 *
 * @since 1.1.0
 */
class SMI_Reports {

	/**
	 * Page slug.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const SLUG = 'smi-reports';

	/**
	 * Dashboard widget ID.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const WIDGET = 'smi_reports_widget';

	/**
	 * Daemon client.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Builds the screen.
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Hooks the submenu page and the dashboard widget.
	 *
	 * @since 1.1.0
	 */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'add_menu' ), 15 );
		add_action( 'wp_dashboard_setup', array( $this, 'add_widget' ) );
	}

	/**
	 * Adds Sell My Images > Reports.
	 *
	 * @since 1.1.0
	 */
	public function add_menu(): void {
		add_submenu_page( SMI_Admin_Jobs_Page::SLUG, __( 'Sell My Images Reports', 'sell-my-images' ), __( 'Reports', 'sell-my-images' ), SMI_Capabilities::MANAGE, self::SLUG, array( $this, 'render' ) );
	}

	/**
	 * Adds the dashboard widget for users who may see the jobs.
	 *
	 * @since 1.1.0
	 */
	public function add_widget(): void {
		if ( current_user_can( SMI_Capabilities::MANAGE ) ) {
			wp_add_dashboard_widget( self::WIDGET, __( 'Sell My Images: last 7 days', 'sell-my-images' ), array( $this, 'render_widget' ) );
		}
	}

	/**
	 * The range asked for: site-local dates (YYYY-MM-DD), the last 30 days
	 * unless a form with a valid nonce asked otherwise.
	 *
	 * @since 1.1.0
	 *
	 * @return array{from: string, to: string}
	 */
	public function requested_range(): array {
		$today = new DateTimeImmutable( 'now', wp_timezone() );
		$range = array(
			'from' => $today->modify( '-29 days' )->format( 'Y-m-d' ),
			'to'   => $today->format( 'Y-m-d' ),
		);
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- a read-only view, bookmarkable.
		if ( ! isset( $_GET['from'], $_GET['to'] ) ) {
			return $range;
		}
		foreach ( array( 'from', 'to' ) as $key ) {
			$value = sanitize_text_field( wp_unslash( $_GET[ $key ] ) );
			$date  = DateTimeImmutable::createFromFormat( '!Y-m-d', $value, wp_timezone() );
			if ( $date && $date->format( 'Y-m-d' ) === $value ) {
				$range[ $key ] = $value;
			}
		}
		// phpcs:enable
		return $range;
	}

	/**
	 * Fetches a report from the daemon.
	 *
	 * @since 1.1.0
	 *
	 * @param string $from First local day.
	 * @param string $to   Last local day (included).
	 * @return array|WP_Error
	 */
	public function fetch( string $from, string $to ) {
		return $this->client->get(
			'/v1/reports',
			array(
				'from' => $from,
				'to'   => $to,
				'tz'   => wp_timezone_string(),
			)
		);
	}

	/**
	 * How many jobs need attention, or null when the daemon cannot say (an
	 * older daemon answers 400 to the attention filter).
	 *
	 * @since 1.1.0
	 *
	 * @return int|null
	 */
	public function attention_count(): ?int {
		$page = $this->client->get(
			'/v1/jobs',
			array(
				'attention' => 1,
				'per_page'  => 1,
			)
		);
		if ( is_wp_error( $page ) || ! isset( $page['total'] ) || ! is_numeric( $page['total'] ) ) {
			return null;
		}
		return (int) $page['total'];
	}

	/**
	 * Formats minor units in the report's currency: NumberFormatter for the
	 * site's locale when ext-intl is loaded, else SMI_Format::money (symbol
	 * and the locale's separators from $wp_locale).
	 *
	 * @since 1.1.0
	 *
	 * @param int    $minor    Amount in minor units.
	 * @param string $currency ISO 4217 code.
	 * @return string Plain text (escape at output).
	 */
	public static function money( int $minor, string $currency ): string {
		if ( class_exists( 'NumberFormatter' ) && preg_match( '/^[a-z]{3}$/i', $currency ) ) {
			$fmt    = new NumberFormatter( get_user_locale(), NumberFormatter::CURRENCY );
			$digits = SMI_Format::decimals( $currency );
			$fmt->setAttribute( NumberFormatter::FRACTION_DIGITS, $digits );
			// A float holds every amount below 2^53 minor units; rounding to $digits makes it exact again.
			$out = $fmt->formatCurrency( $minor / ( 10 ** $digits ), strtoupper( $currency ) );
			if ( false !== $out ) {
				return $out;
			}
		}
		return SMI_Format::money( $minor, $currency );
	}

	/**
	 * Renders the Reports page.
	 *
	 * @since 1.1.0
	 */
	public function render(): void {
		if ( ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to see the reports.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		$range  = $this->requested_range();
		$report = $this->fetch( $range['from'], $range['to'] );

		echo '<div class="wrap smi-reports"><h1>' . esc_html__( 'Reports', 'sell-my-images' ) . '</h1><hr class="wp-header-end" />';
		/** This action is documented in includes/class-smi-onboarding.php */
		do_action( SMI_Onboarding::IN_PLACE );
		$this->render_form( $range );
		if ( is_wp_error( $report ) ) {
			printf( '<div class="notice notice-error"><p>%s</p></div></div>', esc_html( $report->get_error_message() ) );
			return;
		}
		$currency = (string) ( $report['currency'] ?? 'usd' );
		$days     = is_array( $report['days'] ?? null ) ? $report['days'] : array();
		$this->render_totals( (array) ( $report['totals'] ?? array() ), $currency );
		echo '<h2>' . esc_html__( 'Revenue per day', 'sell-my-images' ) . '</h2>';
		echo $this->chart( $days, $currency ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts in chart().
		$this->render_days_table( $days, $currency );

		$top_revenue = is_array( $report['top_by_revenue'] ?? null ) ? $report['top_by_revenue'] : array();
		$top_margin  = is_array( $report['top_by_margin'] ?? null ) ? $report['top_by_margin'] : array();
		$ids         = array_unique( array_map( 'absint', array_merge( array_column( $top_revenue, 'post_id' ), array_column( $top_margin, 'post_id' ) ) ) );
		_prime_post_caches( $ids, false, false );
		$this->render_posts( 'smi-top-revenue', __( 'Top posts by revenue', 'sell-my-images' ), $top_revenue, $currency );
		$this->render_posts( 'smi-top-margin', __( 'Top posts by margin', 'sell-my-images' ), $top_margin, $currency );
		echo '</div>';
	}

	/**
	 * The date-range form: a GET that changes nothing, so its URL can be
	 * bookmarked and shared like the Jobs list's filters (no nonce to expire).
	 *
	 * @since 1.1.0
	 *
	 * @param array $range Current range.
	 */
	private function render_form( array $range ): void {
		echo '<form method="get" class="smi-reports-range" data-tz="' . esc_attr( wp_timezone_string() ) . '"><input type="hidden" name="page" value="' . esc_attr( self::SLUG ) . '" />';
		printf(
			'<label for="smi-from">%1$s</label> <input type="date" id="smi-from" name="from" value="%2$s" required /> <label for="smi-to">%3$s</label> <input type="date" id="smi-to" name="to" value="%4$s" required /> ',
			esc_html__( 'From', 'sell-my-images' ),
			esc_attr( $range['from'] ),
			esc_html__( 'To', 'sell-my-images' ),
			esc_attr( $range['to'] )
		);
		submit_button( __( 'Show', 'sell-my-images' ), 'secondary', '', false );
		/* translators: %s: time zone name, e.g. Europe/Berlin. */
		echo ' <span class="description">' . esc_html( sprintf( __( 'Days in the site\'s time zone (%s).', 'sell-my-images' ), wp_timezone_string() ) ) . '</span></form>';
	}

	/**
	 * The labels of the five figures, in display order.
	 *
	 * @since 1.1.0
	 *
	 * @return array<string,string>
	 */
	private static function labels(): array {
		return array(
			'orders'  => __( 'Orders', 'sell-my-images' ),
			'revenue' => __( 'Revenue', 'sell-my-images' ),
			'refunds' => __( 'Refunds', 'sell-my-images' ),
			'cost'    => __( 'Provider cost', 'sell-my-images' ),
			'margin'  => __( 'Margin', 'sell-my-images' ),
		);
	}

	/**
	 * One figure as text.
	 *
	 * @since 1.1.0
	 *
	 * @param array  $row      Figures.
	 * @param string $key      Figure name.
	 * @param string $currency Currency.
	 * @return string Plain text.
	 */
	private static function figure( array $row, string $key, string $currency ): string {
		$value = (int) ( $row[ $key ] ?? 0 );
		return 'orders' === $key ? number_format_i18n( $value ) : self::money( $value, $currency );
	}

	/**
	 * The range's totals.
	 *
	 * @since 1.1.0
	 *
	 * @param array  $totals   Figures.
	 * @param string $currency Currency.
	 */
	private function render_totals( array $totals, string $currency ): void {
		echo '<ul class="smi-report-totals" id="smi-report-totals">';
		foreach ( self::labels() as $key => $label ) {
			printf( '<li data-figure="%1$s" data-value="%2$d"><span>%3$s</span> <strong>%4$s</strong></li>', esc_attr( $key ), (int) ( $totals[ $key ] ?? 0 ), esc_html( $label ), esc_html( self::figure( $totals, $key, $currency ) ) );
		}
		echo '</ul>';
	}

	/**
	 * An accessible bar chart of revenue per day, as inline SVG: a title and
	 * description for screen readers, a <title> per bar for pointers. The
	 * table below carries the same figures.
	 *
	 * @since 1.1.0
	 *
	 * @param array  $days     Daily rows.
	 * @param string $currency Currency.
	 * @return string Escaped SVG markup.
	 */
	public function chart( array $days, string $currency ): string {
		$n = count( $days );
		if ( 0 === $n ) {
			return '';
		}
		$max    = max( 1, max( array_map( fn( $d ) => (int) ( $d['revenue'] ?? 0 ), $days ) ) );
		$width  = 720;
		$height = 200;
		$slot   = $width / $n;
		$bar    = max( 1.0, $slot * 0.8 );
		$total  = array_sum( array_map( fn( $d ) => (int) ( $d['revenue'] ?? 0 ), $days ) );
		/* translators: 1: number of days, 2: first day, 3: last day, 4: total revenue, 5: highest daily revenue. */
		$desc = sprintf( __( 'Revenue for each of %1$d days from %2$s to %3$s: %4$s in total, at most %5$s in a day. The table below lists every day.', 'sell-my-images' ), $n, (string) $days[0]['date'], (string) $days[ $n - 1 ]['date'], self::money( $total, $currency ), self::money( $max > 1 ? $max : 0, $currency ) );
		$out  = sprintf(
			'<svg class="smi-chart" role="img" aria-labelledby="smi-chart-title smi-chart-desc" viewBox="0 0 %1$d %2$d" width="100%%" height="%2$d" preserveAspectRatio="none"><title id="smi-chart-title">%3$s</title><desc id="smi-chart-desc">%4$s</desc>',
			$width,
			$height + 2,
			esc_html__( 'Revenue per day', 'sell-my-images' ),
			esc_html( $desc )
		);
		foreach ( array_values( $days ) as $i => $day ) {
			$value = (int) ( $day['revenue'] ?? 0 );
			$h     = $value > 0 ? max( 1.0, $height * $value / $max ) : 0.0;
			$out  .= sprintf(
				'<rect x="%1$s" y="%2$s" width="%3$s" height="%4$s" fill="#2271b1" data-date="%5$s" data-revenue="%6$d"><title>%7$s</title></rect>',
				esc_attr( number_format( $i * $slot + ( $slot - $bar ) / 2, 2, '.', '' ) ),
				esc_attr( number_format( $height - $h, 2, '.', '' ) ),
				esc_attr( number_format( $bar, 2, '.', '' ) ),
				esc_attr( number_format( $h, 2, '.', '' ) ),
				esc_attr( (string) $day['date'] ),
				$value,
				esc_html( $day['date'] . ': ' . self::money( $value, $currency ) )
			);
		}
		return $out . sprintf( '<line x1="0" y1="%1$d" x2="%2$d" y2="%1$d" stroke="#646970" /></svg>', $height + 1, $width );
	}

	/**
	 * Every day's figures in a table (the chart's text alternative).
	 *
	 * @since 1.1.0
	 *
	 * @param array  $days     Daily rows.
	 * @param string $currency Currency.
	 */
	private function render_days_table( array $days, string $currency ): void {
		echo '<details class="smi-days"><summary>' . esc_html__( 'Figures per day', 'sell-my-images' ) . '</summary>';
		echo '<table class="widefat striped" id="smi-days"><caption class="screen-reader-text">' . esc_html__( 'Figures per day', 'sell-my-images' ) . '</caption><thead><tr><th scope="col">' . esc_html__( 'Day', 'sell-my-images' ) . '</th>';
		foreach ( self::labels() as $label ) {
			echo '<th scope="col" class="num">' . esc_html( $label ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $days as $day ) {
			echo '<tr data-date="' . esc_attr( (string) ( $day['date'] ?? '' ) ) . '"><th scope="row">' . esc_html( (string) ( $day['date'] ?? '' ) ) . '</th>';
			foreach ( array_keys( self::labels() ) as $key ) {
				printf( '<td class="num" data-figure="%1$s">%2$s</td>', esc_attr( $key ), esc_html( self::figure( $day, $key, $currency ) ) );
			}
			echo '</tr>';
		}
		echo '</tbody></table></details>';
	}

	/**
	 * A top-posts table with titles and edit links.
	 *
	 * @since 1.1.0
	 *
	 * @param string $id       Table element ID.
	 * @param string $title    Heading.
	 * @param array  $posts    Rows.
	 * @param string $currency Currency.
	 */
	private function render_posts( string $id, string $title, array $posts, string $currency ): void {
		echo '<h2>' . esc_html( $title ) . '</h2>';
		if ( array() === $posts ) {
			echo '<p>' . esc_html__( 'No sales in this range.', 'sell-my-images' ) . '</p>';
			return;
		}
		echo '<table class="widefat striped" id="' . esc_attr( $id ) . '"><thead><tr><th scope="col">' . esc_html__( 'Post', 'sell-my-images' ) . '</th>';
		foreach ( array( 'orders', 'revenue', 'cost', 'margin' ) as $key ) {
			echo '<th scope="col" class="num">' . esc_html( self::labels()[ $key ] ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $posts as $row ) {
			$post_id = absint( $row['post_id'] ?? 0 );
			$post    = get_post( $post_id );
			/* translators: %d: post ID. */
			$name = $post ? get_the_title( $post ) : sprintf( __( 'Post #%d (deleted)', 'sell-my-images' ), $post_id );
			$name = '' === $name ? sprintf( '#%d', $post_id ) : $name;
			$link = $post ? get_edit_post_link( $post ) : '';
			echo '<tr data-post="' . esc_attr( (string) $post_id ) . '"><th scope="row">' . ( $link ? '<a href="' . esc_url( $link ) . '">' . esc_html( $name ) . '</a>' : esc_html( $name ) ) . '</th>';
			foreach ( array( 'orders', 'revenue', 'cost', 'margin' ) as $key ) {
				printf( '<td class="num" data-figure="%1$s">%2$s</td>', esc_attr( $key ), esc_html( self::figure( $row, $key, $currency ) ) );
			}
			echo '</tr>';
		}
		echo '</tbody></table>';
	}

	/**
	 * The dashboard widget: the last 7 local days and the attention count.
	 *
	 * @since 1.1.0
	 */
	public function render_widget(): void {
		if ( ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			return;
		}
		$today  = new DateTimeImmutable( 'now', wp_timezone() );
		$report = $this->fetch( $today->modify( '-6 days' )->format( 'Y-m-d' ), $today->format( 'Y-m-d' ) );
		if ( is_wp_error( $report ) ) {
			echo '<p class="smi-widget-error">' . esc_html( $report->get_error_message() ) . '</p>';
		} else {
			$currency = (string) ( $report['currency'] ?? 'usd' );
			$totals   = (array) ( $report['totals'] ?? array() );
			echo '<ul class="smi-widget-figures" id="smi-widget-figures">';
			foreach ( array( 'orders', 'revenue', 'refunds', 'margin' ) as $key ) {
				printf( '<li data-figure="%1$s" data-value="%2$d">%3$s: <strong>%4$s</strong></li>', esc_attr( $key ), (int) ( $totals[ $key ] ?? 0 ), esc_html( self::labels()[ $key ] ), esc_html( self::figure( $totals, $key, $currency ) ) );
			}
			echo '</ul>';
		}
		$count = $this->attention_count();
		$jobs  = admin_url( 'admin.php?page=' . SMI_Admin_Jobs_Page::SLUG );
		if ( null === $count ) {
			echo '<p class="smi-widget-attention">' . esc_html__( 'The daemon cannot count the jobs needing attention (update smid).', 'sell-my-images' ) . '</p>';
		} else {
			/* translators: %s: number of jobs. */
			$text = sprintf( _n( '%s job needs attention', '%s jobs need attention', $count, 'sell-my-images' ), number_format_i18n( $count ) );
			printf( '<p class="smi-widget-attention" data-count="%1$d"><a href="%2$s">%3$s</a></p>', (int) $count, esc_url( add_query_arg( 'attention', 1, $jobs ) ), esc_html( $text ) );
		}
		printf( '<p><a href="%1$s">%2$s</a></p>', esc_url( admin_url( 'admin.php?page=' . self::SLUG ) ), esc_html__( 'All reports', 'sell-my-images' ) );
	}
}
