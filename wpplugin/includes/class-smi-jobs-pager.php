<?php
/**
 * The Jobs list's pager.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * WordPress's pager markup (first, previous, "page N of M", next, last),
 * but moving by the daemon's keyset cursors: next and previous follow
 * `next_cursor`/`prev_cursor`, last asks for `position=last` (read backwards
 * from the end), first drops the cursor. Each link costs the daemon what
 * page 1 costs, at any depth. A typed page number still jumps with `page=N`.
 * The page number beside a cursor is carried in the URL for display only.
 *
 * @since 1.1.0
 */
class SMI_Jobs_Pager {

	/**
	 * The view's URL arguments without paging.
	 *
	 * @since 1.1.0
	 * @var array
	 */
	private array $view_args;

	/**
	 * Number of jobs matching (exact or estimated).
	 *
	 * @since 1.1.0
	 * @var int
	 */
	public int $total;

	/**
	 * Whether $total is exact.
	 *
	 * @since 1.1.0
	 * @var bool
	 */
	public bool $exact;

	/**
	 * Number of pages.
	 *
	 * @since 1.1.0
	 * @var int
	 */
	public int $pages;

	/**
	 * The page shown.
	 *
	 * @since 1.1.0
	 * @var int
	 */
	public int $current;

	/**
	 * Cursor of the next page, '' on the last.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	private string $next;

	/**
	 * Cursor of the previous page, '' on the first.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	private string $prev;

	/**
	 * Builds the pager from the daemon's answer.
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Jobs_Query $query    The request.
	 * @param array          $answer   `GET /v1/jobs` answer.
	 * @param int            $per_page Rows per page.
	 */
	public function __construct( SMI_Jobs_Query $query, array $answer, int $per_page ) {
		$this->view_args = $query->url_args();
		$this->total     = max( 0, (int) ( $answer['total'] ?? 0 ) );
		$this->exact     = isset( $answer['total_exact'] ) ? (bool) $answer['total_exact'] : empty( $answer['total_capped'] );
		$this->pages     = max( 1, (int) ( $answer['total_pages'] ?? ceil( $this->total / max( 1, $per_page ) ) ) );
		$this->next      = is_string( $answer['next_cursor'] ?? null ) ? $answer['next_cursor'] : '';
		$this->prev      = is_string( $answer['prev_cursor'] ?? null ) ? $answer['prev_cursor'] : '';
		if ( $query->last ) {
			$this->current = $this->pages;
		} elseif ( '' === $query->cursor ) {
			$this->current = max( 1, (int) ( $answer['page'] ?? $query->paged ) );
		} else {
			$this->current = $query->paged;
		}
		if ( '' === $this->prev ) {
			$this->current = 1; // Whatever the URL said, this is the first page.
		}
		if ( '' === $this->next ) {
			// The last page: an estimate gives way to what was reached.
			$this->pages = $this->exact ? max( $this->pages, $this->current ) : $this->current;
		}
	}

	/**
	 * "N items", or "about N items" for an estimate.
	 *
	 * @since 1.1.0
	 *
	 * @return string Plain text.
	 */
	public function count_text(): string {
		if ( $this->exact ) {
			/* translators: %s: number of jobs. */
			return sprintf( _n( '%s item', '%s items', $this->total, 'sell-my-images' ), number_format_i18n( $this->total ) );
		}
		/* translators: %s: estimated number of jobs, e.g. 12,400. */
		return sprintf( __( 'about %s items', 'sell-my-images' ), number_format_i18n( $this->total ) );
	}

	/**
	 * The list URL of a page position.
	 *
	 * @since 1.1.0
	 *
	 * @param array $args cursor/position/paged.
	 * @return string
	 */
	private function url( array $args ): string {
		return SMI_Admin_Jobs_Page::list_url( array_merge( $this->view_args, $args ) );
	}

	/**
	 * One pager button, or its disabled placeholder.
	 *
	 * @since 1.1.0
	 *
	 * @param string      $class CSS class (first-page, prev-page, next-page, last-page).
	 * @param string|null $url   Target, or null when disabled.
	 * @param string      $label Screen-reader label.
	 * @param string      $glyph Visible glyph (HTML entity).
	 * @return string Escaped HTML.
	 */
	private function button( string $class, ?string $url, string $label, string $glyph ): string {
		if ( null === $url ) {
			return '<span class="tablenav-pages-navspan button disabled" aria-hidden="true">' . $glyph . '</span>';
		}
		return sprintf(
			'<a class="%1$s button" href="%2$s"><span class="screen-reader-text">%3$s</span><span aria-hidden="true">%4$s</span></a>',
			esc_attr( $class ),
			esc_url( $url ),
			esc_html( $label ),
			$glyph
		);
	}

	/**
	 * The pager's HTML.
	 *
	 * @since 1.1.0
	 *
	 * @param string $which top|bottom (only the top one has the page input).
	 * @return string Escaped HTML.
	 */
	public function html( string $which ): string {
		$first = '' !== $this->prev ? $this->url( array() ) : null;
		$prev  = null;
		if ( '' !== $this->prev ) {
			$prev = $this->current <= 2 ? $first : $this->url(
				array(
					'cursor' => $this->prev,
					'paged'  => $this->current - 1,
				)
			);
		}
		$next = '' !== $this->next ? $this->url(
			array(
				'cursor' => $this->next,
				'paged'  => $this->current + 1,
			)
		) : null;
		$last = '' !== $this->next ? $this->url( array( 'position' => 'last' ) ) : null;

		$total_pages = sprintf( '<span class="total-pages">%s</span>', esc_html( ( $this->exact ? '' : '~' ) . number_format_i18n( $this->pages ) ) );
		if ( 'top' === $which ) {
			$current = sprintf(
				'<label for="current-page-selector" class="screen-reader-text">%1$s</label><input class="current-page" id="current-page-selector" type="text" name="paged" value="%2$s" size="%3$d" aria-describedby="table-paging" /><span class="tablenav-paging-text">',
				esc_html__( 'Current page', 'sell-my-images' ),
				esc_attr( (string) $this->current ),
				strlen( (string) $this->pages )
			);
			$before  = '<span class="paging-input">';
		} else {
			$current = esc_html( number_format_i18n( $this->current ) );
			$before  = '<span class="screen-reader-text">' . esc_html__( 'Current page', 'sell-my-images' ) . '</span><span id="table-paging" class="paging-input"><span class="tablenav-paging-text">';
		}
		$links = array(
			$this->button( 'first-page', $first, __( 'First page', 'sell-my-images' ), '&laquo;' ),
			$this->button( 'prev-page', $prev, __( 'Previous page', 'sell-my-images' ), '&lsaquo;' ),
			/* translators: 1: current page, 2: total pages. */
			$before . sprintf( _x( '%1$s of %2$s', 'paging', 'sell-my-images' ), $current, $total_pages ) . '</span></span>',
			$this->button( 'next-page', $next, __( 'Next page', 'sell-my-images' ), '&rsaquo;' ),
			$this->button( 'last-page', $last, __( 'Last page', 'sell-my-images' ), '&raquo;' ),
		);
		return sprintf(
			'<div class="tablenav-pages%1$s"><span class="displaying-num">%2$s</span> <span class="pagination-links">%3$s</span></div>',
			$this->pages < 2 && '' === $this->next && '' === $this->prev ? ' one-page' : '',
			esc_html( $this->count_text() ),
			implode( "\n", $links )
		);
	}
}
