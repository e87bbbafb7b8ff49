<?php
/**
 * A job's row actions on the Jobs list.
 *
 * @package SellMyImages
 * @since   1.2.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * The links under a job's ID: view and preview, then only the actions the
 * daemon says it allows on that job (`actions.<name>.allowed`). One-job
 * actions are nonced admin-post.php links back to the same list; those
 * that need a choice (a refund, a retry with a flag) open the details form.
 *
 * @since 1.2.0
 */
class SMI_Job_Row_Actions {

	/**
	 * Whether the daemon allows an action on a job.
	 *
	 * @since 1.1.0
	 *
	 * @param array  $item   Job.
	 * @param string $action Action code.
	 * @return bool
	 */
	public static function allows( array $item, string $action ): bool {
		return ! empty( $item['actions'][ $action ]['allowed'] );
	}

	/**
	 * The row's actions as WP_List_Table::row_actions() takes them.
	 *
	 * @since 1.2.0
	 *
	 * @param array  $item Job.
	 * @param string $back The list's URL, to come back to (the same for every row of a page).
	 * @return array<string,string> HTML links, escaped.
	 */
	public static function of( array $item, string $back ): array {
		$job_id  = (string) ( $item['job_id'] ?? '' );
		$actions = array(
			'view'    => sprintf( '<a href="%1$s">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) ), esc_html__( 'View', 'sell-my-images' ) ),
			'preview' => sprintf( '<button type="button" class="button-link smi-preview" aria-haspopup="dialog">%s</button>', esc_html__( 'Preview', 'sell-my-images' ) ),
		);
		if ( self::allows( $item, 'retry' ) && ! empty( $item['actions']['retry']['requires'] ) ) {
			// The daemon wants a flag chosen knowingly (force, allow_unpaid): on the details form.
			$actions['retry'] = sprintf( '<a href="%1$s">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) . '#smi-retry-form' ), esc_html__( 'Retry upscaling…', 'sell-my-images' ) );
		} elseif ( self::allows( $item, 'retry' ) ) {
			$credits          = (int) ( $item['credits_estimate'] ?? $item['credits_used'] ?? 0 );
			$actions['retry'] = self::link(
				'retry',
				$job_id,
				$back,
				__( 'Retry upscaling', 'sell-my-images' ),
				$credits > 0
					/* translators: %d: number of Upsampler credits. */
					? sprintf( _n( 'Retry upscaling this job? It uses about %d Upsampler credit.', 'Retry upscaling this job? It uses about %d Upsampler credits.', $credits, 'sell-my-images' ), $credits )
					: __( 'Retry upscaling this job? It uses Upsampler credits again.', 'sell-my-images' )
			);
		}
		if ( self::allows( $item, 'regenerate_token' ) ) {
			$actions['token'] = self::link( 'token', $job_id, $back, __( 'Regenerate link', 'sell-my-images' ), __( 'Create a new download link? The current one stops working.', 'sell-my-images' ) );
		}
		if ( self::allows( $item, 'resend_email' ) ) {
			$actions['email'] = self::link( 'email', $job_id, $back, __( 'Resend email', 'sell-my-images' ), '' );
		}
		if ( self::allows( $item, 'refund' ) ) {
			$actions['refund'] = sprintf( '<a href="%1$s">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::job_url( $job_id ) . '#smi-refund-form' ), esc_html__( 'Refund', 'sell-my-images' ) );
		}
		if ( self::allows( $item, 'reconcile' ) ) {
			$actions['reconcile'] = self::link( 'reconcile', $job_id, $back, __( 'Reconcile', 'sell-my-images' ), '' );
		}
		return $actions;
	}

	/**
	 * A nonced admin-post.php link for a one-job action.
	 *
	 * @since 1.0.0
	 *
	 * @param string $action  Action (retry, token, email, reconcile).
	 * @param string $job_id  Job.
	 * @param string $back    The list to come back to.
	 * @param string $label   Link text.
	 * @param string $confirm Confirmation question ('' for none).
	 * @return string
	 */
	private static function link( string $action, string $job_id, string $back, string $label, string $confirm ): string {
		$url = add_query_arg(
			array(
				'action'           => 'smi_' . $action,
				'job_id'           => $job_id,
				'_wpnonce'         => wp_create_nonce( "smi_{$action}::{$job_id}" ),
				'_wp_http_referer' => rawurlencode( $back ),
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
}
