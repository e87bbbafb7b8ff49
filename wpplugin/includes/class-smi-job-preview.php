<?php
/**
 * A job's preview from the Jobs list.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * What the list's Preview dialog shows of a row's job: human labels and
 * values formatted here, as plain text, so the page's script only puts
 * text in place (never markup). The row carries it as JSON in an escaped
 * attribute.
 *
 * @since 1.1.0
 */
class SMI_Job_Preview {

	/**
	 * What the preview modal shows: labels and plain-text values, formatted
	 * here so the script only puts text in place.
	 *
	 * @since 1.1.0
	 *
	 * @param array        $item Job from the daemon.
	 * @param WP_Post|null $post The job's post, null when it has none or it
	 *                           was deleted (the list looks it up once a row).
	 * @return array `title`, `url`, `fields` as [label, value] pairs.
	 */
	public static function of( array $item, ?WP_Post $post ): array {
		$currency = (string) ( $item['currency'] ?? 'usd' );
		$post_id  = (int) ( $item['post_id'] ?? 0 );
		$fields   = array(
			__( 'Job ID', 'sell-my-images' )     => (string) ( $item['job_id'] ?? '' ),
			__( 'Status', 'sell-my-images' )     => SMI_Format::status_label( (string) ( $item['status'] ?? '' ) ),
			__( 'Payment', 'sell-my-images' )    => SMI_Format::payment_label( (string) ( $item['payment_status'] ?? '' ) ),
			__( 'Email', 'sell-my-images' )      => (string) ( $item['email'] ?? '' ),
			__( 'Post', 'sell-my-images' )       => $post ? $post->post_title . ' #' . $post_id : ( $post_id ? '#' . $post_id : '—' ),
			__( 'Resolution', 'sell-my-images' ) => (string) ( $item['resolution'] ?? '' ),
			__( 'Charged', 'sell-my-images' )    => SMI_Format::money( $item['amount_charged'] ?? null, $currency ),
			__( 'Refunded', 'sell-my-images' )   => SMI_Format::money( $item['refund_amount'] ?? 0, $currency ),
			__( 'Refundable', 'sell-my-images' ) => SMI_Format::money( $item['refundable'] ?? 0, $currency ),
			__( 'Cost', 'sell-my-images' )       => SMI_Format::money( $item['amount_cost'] ?? null, $currency ),
			__( 'Created', 'sell-my-images' )    => SMI_Format::datetime( $item['created_at'] ?? null ),
			__( 'Completed', 'sell-my-images' )  => SMI_Format::datetime( $item['completed_at'] ?? null ),
		);
		if ( ! empty( $item['last_error'] ) ) {
			$fields[ __( 'Last error', 'sell-my-images' ) ] = (string) $item['last_error'];
		}
		$attention = array_map( array( 'SMI_Format', 'attention_label' ), array_filter( (array) ( $item['attention'] ?? array() ), 'is_string' ) );
		if ( $attention ) {
			$fields[ __( 'Needs attention', 'sell-my-images' ) ] = implode( ', ', $attention );
		}
		return array(
			/* translators: %s: first 8 characters of the job ID. */
			'title'  => sprintf( __( 'Job %s', 'sell-my-images' ), substr( (string) ( $item['job_id'] ?? '' ), 0, 8 ) ),
			'url'    => SMI_Admin_Jobs_Page::job_url( (string) ( $item['job_id'] ?? '' ) ),
			'fields' => array_map( null, array_keys( $fields ), array_values( $fields ) ),
		);
	}
}
