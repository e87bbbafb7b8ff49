<?php
/**
 * The money strip above the Jobs list.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Orders, revenue, refunds, provider cost and margin of the jobs the
 * current filter selects, from `GET /v1/stats` with the same filter: the
 * daemon sums the rows, the plugin only formats its figures.
 *
 * Summing money reads every matching row (about a second at a million
 * jobs), so the Jobs page does not wait for it: the page prints the strip
 * with its filter and placeholders, and the screen's script asks for the
 * figures through `wp_ajax_smi_job_summary` once the list is shown.
 *
 * @since 1.1.0
 */
class SMI_Jobs_Summary {

	/**
	 * The filter keys the strip may pass on to the daemon.
	 *
	 * @since 1.2.0
	 */
	const FILTER_KEYS = array( 'status', 'payment_status', 'created_from', 'created_to', 'email', 'post_id', 'attachment_id', 'post_ids', 'q', 'attention' );

	/**
	 * The daemon filter the figures are for.
	 *
	 * @since 1.2.0
	 * @var array
	 */
	private array $filter;

	/**
	 * The daemon's figures, or null when they are not loaded (yet).
	 *
	 * @since 1.1.0
	 * @var array|null
	 */
	public ?array $stats = null;

	/**
	 * Why the figures could not be loaded, if they could not.
	 *
	 * @since 1.1.0
	 * @var WP_Error|null
	 */
	public ?WP_Error $error = null;

	/**
	 * A strip for a filter; its figures are not loaded until load().
	 *
	 * @since 1.1.0
	 *
	 * @param array $filter Daemon filter keys (others are dropped).
	 */
	public function __construct( array $filter ) {
		$this->filter = array_intersect_key( $filter, array_flip( self::FILTER_KEYS ) );
	}

	/**
	 * Loads the figures from the daemon.
	 *
	 * @since 1.2.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 * @return bool Whether they were loaded.
	 */
	public function load( SMI_Daemon_Client $client ): bool {
		$stats = $client->get( '/v1/stats', $this->filter );
		if ( is_wp_error( $stats ) ) {
			$this->error = $stats;
			return false;
		}
		$this->stats = $stats;
		return true;
	}

	/**
	 * The loaded figures as plain text (not escaped), by key: orders,
	 * revenue, refunded, cost, margin.
	 *
	 * @since 1.2.0
	 *
	 * @return array<string,string>
	 */
	public function figures(): array {
		$stats    = (array) $this->stats;
		$currency = (string) ( $stats['currency'] ?? 'usd' );
		return array(
			'orders'   => number_format_i18n( (int) ( $stats['total'] ?? 0 ) ),
			'revenue'  => SMI_Format::money( $stats['revenue'] ?? null, $currency ),
			'refunded' => SMI_Format::money( $stats['refunded'] ?? null, $currency ),
			'cost'     => SMI_Format::money( $stats['cost'] ?? null, $currency ),
			'margin'   => SMI_Format::money( $stats['margin'] ?? null, $currency ),
		);
	}

	/**
	 * Prints the strip: the figures when loaded, else placeholders the
	 * screen's script fills for the filter in `data-filter`.
	 *
	 * @since 1.1.0
	 */
	public function render(): void {
		$labels  = array(
			'orders'   => __( 'Orders', 'sell-my-images' ),
			'revenue'  => __( 'Revenue', 'sell-my-images' ),
			'refunded' => __( 'Refunds', 'sell-my-images' ),
			'cost'     => __( 'Provider cost', 'sell-my-images' ),
			'margin'   => __( 'Margin', 'sell-my-images' ),
		);
		$loaded  = null !== $this->stats;
		$figures = $loaded ? $this->figures() : array();
		printf(
			'<ul class="smi-summary" id="smi-summary" aria-label="%1$s" aria-busy="%2$s" data-filter="%3$s">',
			esc_attr__( 'Totals for this view', 'sell-my-images' ),
			$loaded ? 'false' : 'true',
			esc_attr( (string) wp_json_encode( (object) $this->filter ) )
		);
		foreach ( $labels as $key => $label ) {
			printf(
				'<li class="smi-summary-%1$s"><span class="smi-summary-label">%2$s</span> <strong class="smi-summary-value" id="smi-summary-%1$s">%3$s</strong></li>',
				esc_attr( $key ),
				esc_html( $label ),
				$loaded ? esc_html( $figures[ $key ] ) : '&hellip;'
			);
		}
		echo '</ul>';
	}
}
