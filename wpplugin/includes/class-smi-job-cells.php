<?php
/**
 * The cells of a job's row on the Jobs list.
 *
 * @package SellMyImages
 * @since   1.2.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Draws each column of a job's row (all but the checkbox) from what the
 * daemon says about the job and the page's posts, loaded once
 * (SMI_Page_Posts). Every value is escaped here.
 *
 * @since 1.2.0
 */
class SMI_Job_Cells {

	/**
	 * The page's posts and attachments.
	 *
	 * @since 1.2.0
	 * @var SMI_Page_Posts
	 */
	private SMI_Page_Posts $posts;

	/**
	 * Cells for a page whose posts are loaded.
	 *
	 * @since 1.2.0
	 *
	 * @param SMI_Page_Posts $posts The page's posts and attachments.
	 */
	public function __construct( SMI_Page_Posts $posts ) {
		$this->posts = $posts;
	}

	/**
	 * A column's cell for a job; an unknown column shows the job's value
	 * of that name, escaped.
	 *
	 * @since 1.2.0
	 *
	 * @param string $column Column.
	 * @param array  $item   Job.
	 * @return string
	 */
	public function html( string $column, array $item ): string {
		switch ( $column ) {
			case 'job_id':
				return $this->job_id( $item );
			case 'thumbnail':
				return $this->thumbnail( $item );
			case 'email':
				return $this->email( $item );
			case 'post':
				return $this->post( $item );
			case 'attachment':
				return $this->attachment( $item );
			case 'resolution':
				return $this->resolution( $item );
			case 'status':
				return SMI_Format::status_cell( $item );
			case 'payment_status':
				return SMI_Format::payment_badge( (string) ( $item['payment_status'] ?? '' ) );
			case 'amount_charged':
				return $this->amount_charged( $item );
			case 'amount_cost':
				return $this->amount_cost( $item );
			case 'created_at':
				return SMI_Format::time_html( isset( $item['created_at'] ) ? (string) $item['created_at'] : null );
		}
		return isset( $item[ $column ] ) && is_scalar( $item[ $column ] ) ? esc_html( (string) $item[ $column ] ) : '';
	}

	/**
	 * Job ID column (first 8 characters, linked to the details).
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function job_id( array $item ): string {
		$job_id = (string) ( $item['job_id'] ?? '' );
		return sprintf(
			'<a class="row-title smi-job-link" href="%1$s" title="%2$s"><code>%3$s</code></a>',
			esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) ),
			esc_attr( $job_id ),
			esc_html( substr( $job_id, 0, 8 ) )
		);
	}

	/**
	 * Thumbnail: the attachment's image, else the job's image URL.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function thumbnail( array $item ): string {
		$attachment_id = (int) ( $item['attachment_id'] ?? 0 );
		if ( $attachment_id > 0 && $this->posts->get( $attachment_id ) && wp_attachment_is_image( $attachment_id ) ) {
			$img = wp_get_attachment_image( $attachment_id, array( 60, 60 ), false, array( 'class' => 'smi-thumb' ) );
			if ( $img ) {
				return $img;
			}
		}
		$url = (string) ( $item['image_url'] ?? '' );
		if ( '' !== $url && preg_match( '#^https?://[^/\s"\'<>]+#', $url ) ) {
			return sprintf( '<img src="%s" alt="" width="60" loading="lazy" class="smi-thumb" />', esc_url( $url ) );
		}
		return '—';
	}

	/**
	 * Customer email, linked to the customer's jobs.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function email( array $item ): string {
		$email = (string) ( $item['email'] ?? '' );
		if ( '' === $email ) {
			return '—';
		}
		return sprintf( '<a href="%1$s" class="smi-email">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::list_url( array( 'email' => $email ) ) ), esc_html( $email ) );
	}

	/**
	 * Post, linked to its editor (or its permalink).
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function post( array $item ): string {
		$post_id = (int) ( $item['post_id'] ?? 0 );
		if ( $post_id <= 0 ) {
			return '—';
		}
		$post = $this->posts->get( $post_id );
		if ( ! $post ) {
			/* translators: %d: post ID. */
			return esc_html( sprintf( __( '#%d (deleted)', 'sell-my-images' ), $post_id ) );
		}
		$link  = current_user_can( 'edit_post', $post_id ) ? get_edit_post_link( $post_id ) : get_permalink( $post_id );
		$title = '' !== $post->post_title ? $post->post_title : __( '(no title)', 'sell-my-images' );
		return sprintf( '<a href="%1$s">%2$s</a> <span class="smi-muted">#%3$d</span>', esc_url( (string) $link ), esc_html( $title ), $post_id );
	}

	/**
	 * Attachment ID and source size.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function attachment( array $item ): string {
		$attachment_id = (int) ( $item['attachment_id'] ?? 0 );
		$size          = ! empty( $item['image_width'] ) ? sprintf( '%d×%d', (int) $item['image_width'], (int) $item['image_height'] ) : '';
		if ( $attachment_id <= 0 ) {
			return esc_html( '' !== $size ? $size : '—' );
		}
		$link = $this->posts->get( $attachment_id ) ? get_edit_post_link( $attachment_id ) : '';
		$id   = $link ? sprintf( '<a href="%1$s">#%2$d</a>', esc_url( $link ), $attachment_id ) : '#' . $attachment_id;
		return $id . ( '' !== $size ? '<br /><span class="smi-muted">' . esc_html( $size ) . '</span>' : '' );
	}

	/**
	 * Resolution bought, and the output size when known.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function resolution( array $item ): string {
		$out = esc_html( (string) ( $item['resolution'] ?? '—' ) );
		if ( ! empty( $item['output_width'] ) ) {
			$out .= '<br /><span class="smi-muted">' . esc_html( sprintf( '%d×%d', (int) $item['output_width'], (int) $item['output_height'] ) ) . '</span>';
		}
		return $out;
	}

	/**
	 * Amount charged, and the refunded part.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function amount_charged( array $item ): string {
		$currency = (string) ( $item['currency'] ?? 'usd' );
		$out      = '<span class="smi-amount">' . esc_html( SMI_Format::money( $item['amount_charged'] ?? null, $currency ) ) . '</span>';
		if ( ! empty( $item['refund_amount'] ) ) {
			$out .= '<br /><span class="smi-muted smi-refunded">' . esc_html(
				/* translators: %s: refunded amount. */
				sprintf( __( '%s refunded', 'sell-my-images' ), SMI_Format::money( $item['refund_amount'], $currency ) )
			) . '</span>';
		}
		return $out;
	}

	/**
	 * Processing cost, and credits used.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	private function amount_cost( array $item ): string {
		$out = esc_html( SMI_Format::money( $item['amount_cost'] ?? null, (string) ( $item['currency'] ?? 'usd' ) ) );
		if ( ! empty( $item['credits_used'] ) ) {
			$out .= '<br /><span class="smi-muted">' . esc_html(
				/* translators: %d: number of Upsampler credits. */
				sprintf( _n( '%d credit', '%d credits', (int) $item['credits_used'], 'sell-my-images' ), (int) $item['credits_used'] )
			) . '</span>';
		}
		return $out;
	}

}
