<?php
/**
 * The Jobs list's columns and row actions.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * How each data column of the Jobs list draws a job: every value escaped
 * for its context at the point of output. Used by SMI_Jobs_List_Table.
 *
 * @since 1.0.0
 */
trait SMI_Jobs_List_Columns {

	/**
	 * Checkbox column.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_cb( $item ) {
		$job_id = (string) ( $item['job_id'] ?? '' );
		return sprintf(
			'<label class="screen-reader-text" for="cb-select-%1$s">%2$s</label><input type="checkbox" id="cb-select-%1$s" name="job_ids[]" value="%1$s" />',
			esc_attr( $job_id ),
			/* translators: %s: job ID. */
			esc_html( sprintf( __( 'Select job %s', 'sell-my-images' ), $job_id ) )
		);
	}

	/**
	 * Job ID column (first 8 characters, linked to the details), with row actions.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_job_id( $item ) {
		$job_id = (string) ( $item['job_id'] ?? '' );
		return sprintf(
			'<a class="row-title smi-job-link" href="%1$s" title="%2$s"><code>%3$s</code></a>',
			esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) ),
			esc_attr( $job_id ),
			esc_html( substr( $job_id, 0, 8 ) )
		);
	}

	/**
	 * Row actions that fit the job's state.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $item        Job.
	 * @param string $column_name Column.
	 * @param string $primary     Primary column.
	 * @return string
	 */
	protected function handle_row_actions( $item, $column_name, $primary ) {
		if ( $primary !== $column_name ) {
			return '';
		}
		$job_id  = (string) ( $item['job_id'] ?? '' );
		$status  = (string) ( $item['status'] ?? '' );
		$actions = array(
			'view' => sprintf( '<a href="%1$s">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) ), esc_html__( 'View', 'sell-my-images' ) ),
		);
		if ( in_array( $status, array( 'failed', 'pending', 'completed' ), true ) ) {
			$credits           = (int) ( $item['credits_estimate'] ?? $item['credits_used'] ?? 0 );
			$actions['retry'] = $this->action_link(
				'retry',
				$job_id,
				__( 'Retry upscaling', 'sell-my-images' ),
				$credits > 0
					/* translators: %d: number of Upsampler credits. */
					? sprintf( _n( 'Retry upscaling this job? It uses about %d Upsampler credit.', 'Retry upscaling this job? It uses about %d Upsampler credits.', $credits, 'sell-my-images' ), $credits )
					: __( 'Retry upscaling this job? It uses Upsampler credits again.', 'sell-my-images' ),
				'completed' === $status ? array( 'force' => 1 ) : array()
			);
		}
		if ( 'completed' === $status ) {
			$actions['token'] = $this->action_link( 'token', $job_id, __( 'Regenerate token', 'sell-my-images' ), __( 'Create a new download link? The current one stops working.', 'sell-my-images' ) );
		}
		if ( 'active' === ( $item['token_state'] ?? '' ) ) {
			$actions['email'] = $this->action_link( 'email', $job_id, __( 'Resend email', 'sell-my-images' ), '' );
		}
		if ( SMI_Format::refundable( $item ) > 0 ) {
			$actions['refund'] = sprintf( '<a href="%1$s">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) . '#smi-refund-form' ), esc_html__( 'Refund', 'sell-my-images' ) );
		}
		$actions['reconcile'] = $this->action_link( 'reconcile', $job_id, __( 'Reconcile', 'sell-my-images' ), '' );
		return $this->row_actions( $actions );
	}

	/**
	 * A nonced admin-post.php link for a one-job action.
	 *
	 * @since 1.0.0
	 *
	 * @param string $action  Action (retry, token, email, reconcile).
	 * @param string $job_id  Job.
	 * @param string $label   Link text.
	 * @param string $confirm Confirmation question ('' for none).
	 * @param array  $extra   Extra query arguments.
	 * @return string
	 */
	private function action_link( string $action, string $job_id, string $label, string $confirm, array $extra = array() ): string {
		$url = add_query_arg(
			array_merge(
				array(
					'action'           => 'smi_' . $action,
					'job_id'           => $job_id,
					'_wpnonce'         => wp_create_nonce( "smi_{$action}::{$job_id}" ),
					'_wp_http_referer' => rawurlencode( add_query_arg( self::view_args( $this->request ), admin_url( 'admin.php?page=' . SMI_Admin_Jobs_Page::SLUG ) ) ),
				),
				$extra
			),
			admin_url( 'admin-post.php' )
		);
		return sprintf(
			'<a href="%1$s" class="smi-action-%2$s%3$s"%4$s>%5$s</a>',
			esc_url( $url ),
			esc_attr( $action ),
			'' !== $confirm ? ' smi-confirm' : '',
			'' !== $confirm ? ' data-confirm="' . esc_attr( $confirm ) . '"' : '',
			esc_html( $label )
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
	protected function column_thumbnail( $item ) {
		$attachment_id = (int) ( $item['attachment_id'] ?? 0 );
		if ( $attachment_id > 0 && wp_attachment_is_image( $attachment_id ) ) {
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
	 * Customer email.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_email( $item ) {
		$email = (string) ( $item['email'] ?? '' );
		if ( '' === $email ) {
			return '—';
		}
		$url = add_query_arg( array( 'email' => $email ), admin_url( 'admin.php?page=' . SMI_Admin_Jobs_Page::SLUG ) );
		return sprintf( '<a href="%1$s" class="smi-email">%2$s</a>', esc_url( $url ), esc_html( $email ) );
	}

	/**
	 * Post, linked to its editor (or its permalink).
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_post( $item ) {
		$post_id = (int) ( $item['post_id'] ?? 0 );
		if ( $post_id <= 0 ) {
			return '—';
		}
		$post = get_post( $post_id );
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
	protected function column_attachment( $item ) {
		$attachment_id = (int) ( $item['attachment_id'] ?? 0 );
		$size          = ! empty( $item['image_width'] ) ? sprintf( '%d×%d', (int) $item['image_width'], (int) $item['image_height'] ) : '';
		if ( $attachment_id <= 0 ) {
			return esc_html( '' !== $size ? $size : '—' );
		}
		$link = get_post( $attachment_id ) ? get_edit_post_link( $attachment_id ) : '';
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
	protected function column_resolution( $item ) {
		$out = esc_html( (string) ( $item['resolution'] ?? '—' ) );
		if ( ! empty( $item['output_width'] ) ) {
			$out .= '<br /><span class="smi-muted">' . esc_html( sprintf( '%d×%d', (int) $item['output_width'], (int) $item['output_height'] ) ) . '</span>';
		}
		return $out;
	}

	/**
	 * Status badge.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_status( $item ) {
		return SMI_Format::status_badge( (string) ( $item['status'] ?? '' ) );
	}

	/**
	 * Payment badge.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_payment_status( $item ) {
		return SMI_Format::payment_badge( (string) ( $item['payment_status'] ?? '' ) );
	}

	/**
	 * Amount charged, and the refunded part.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_amount_charged( $item ) {
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
	protected function column_amount_cost( $item ) {
		$out = esc_html( SMI_Format::money( $item['amount_cost'] ?? null, (string) ( $item['currency'] ?? 'usd' ) ) );
		if ( ! empty( $item['credits_used'] ) ) {
			$out .= '<br /><span class="smi-muted">' . esc_html(
				/* translators: %d: number of Upsampler credits. */
				sprintf( _n( '%d credit', '%d credits', (int) $item['credits_used'], 'sell-my-images' ), (int) $item['credits_used'] )
			) . '</span>';
		}
		return $out;
	}

	/**
	 * Creation time.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_created_at( $item ) {
		$created = isset( $item['created_at'] ) ? (string) $item['created_at'] : '';
		return sprintf( '<time datetime="%1$s">%2$s</time>', esc_attr( $created ), esc_html( SMI_Format::datetime( $created ) ) );
	}

	/**
	 * Fallback for unknown columns.
	 *
	 * @since 1.0.0
	 *
	 * @param array  $item        Job.
	 * @param string $column_name Column.
	 * @return string
	 */
	protected function column_default( $item, $column_name ) {
		return isset( $item[ $column_name ] ) && is_scalar( $item[ $column_name ] ) ? esc_html( (string) $item[ $column_name ] ) : '';
	}
}
