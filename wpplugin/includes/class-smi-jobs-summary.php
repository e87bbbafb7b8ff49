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
 * @since 1.1.0
 */
class SMI_Jobs_Summary {

	/**
	 * The daemon's figures, or null when they could not be loaded.
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
	 * Loads the figures for a filter.
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 * @param array             $filter Daemon filter keys.
	 */
	public function __construct( SMI_Daemon_Client $client, array $filter ) {
		$stats = $client->get( '/v1/stats', $filter );
		if ( is_wp_error( $stats ) ) {
			$this->error = $stats;
			return;
		}
		$this->stats = $stats;
	}

	/**
	 * Prints the strip (nothing when the figures could not be loaded).
	 *
	 * @since 1.1.0
	 */
	public function render(): void {
		if ( null === $this->stats ) {
			return;
		}
		$currency = (string) ( $this->stats['currency'] ?? 'usd' );
		$figures  = array(
			'orders'   => array( __( 'Orders', 'sell-my-images' ), esc_html( number_format_i18n( (int) ( $this->stats['total'] ?? 0 ) ) ) ),
			'revenue'  => array( __( 'Revenue', 'sell-my-images' ), esc_html( SMI_Format::money( $this->stats['revenue'] ?? null, $currency ) ) ),
			'refunded' => array( __( 'Refunds', 'sell-my-images' ), esc_html( SMI_Format::money( $this->stats['refunded'] ?? null, $currency ) ) ),
			'cost'     => array( __( 'Provider cost', 'sell-my-images' ), esc_html( SMI_Format::money( $this->stats['cost'] ?? null, $currency ) ) ),
			'margin'   => array( __( 'Margin', 'sell-my-images' ), esc_html( SMI_Format::money( $this->stats['margin'] ?? null, $currency ) ) ),
		);
		echo '<ul class="smi-summary" id="smi-summary" aria-label="' . esc_attr__( 'Totals for this view', 'sell-my-images' ) . '">';
		foreach ( $figures as $key => $figure ) {
			printf(
				'<li class="smi-summary-%1$s"><span class="smi-summary-label">%2$s</span> <strong class="smi-summary-value" id="smi-summary-%1$s">%3$s</strong></li>',
				esc_attr( $key ),
				esc_html( $figure[0] ),
				$figure[1] // Escaped above.
			);
		}
		echo '</ul>';
	}
}
