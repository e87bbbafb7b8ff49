/**
 * Sell My Images > Jobs: confirmations, live refresh of the visible rows
 * (one request for all of them), the preview dialog, batch progress and
 * cancellation.
 *
 * Vanilla JS, no build step. Reads the rows' data attributes (data-job-id,
 * data-status, data-refundable, data-credits, data-currency, data-preview)
 * and puts text in place with textContent only.
 *
 * @package SellMyImages
 * @since   1.0.0
 */
( function () {
	'use strict';

	var cfg = window.smiJobs || {};
	var i18n = cfg.i18n || {};
	// WordPress's own printf (the wp-i18n script): %s, %d and %1$s.
	var sprintf = window.wp.i18n.sprintf;

	// Formats integer minor units with the browser's Intl, which knows each
	// currency's digits; the division only feeds the display.
	function money( minor, currency ) {
		currency = ( currency || 'usd' ).toUpperCase();
		try {
			var f = new Intl.NumberFormat( document.documentElement.lang || undefined, { style: 'currency', currency: currency } );
			return f.format( minor / Math.pow( 10, f.resolvedOptions().maximumFractionDigits ) );
		} catch ( e ) {
			return ( minor / 100 ).toFixed( 2 ) + ' ' + currency;
		}
	}

	function post( action, data ) {
		var body = new URLSearchParams();
		body.append( 'action', action );
		body.append( 'nonce', cfg.nonce || '' );
		Object.keys( data ).forEach( function ( key ) {
			var value = data[ key ];
			if ( Array.isArray( value ) ) {
				value.forEach( function ( v ) {
					body.append( key + '[]', v );
				} );
			} else {
				body.append( key, value );
			}
		} );
		return fetch( cfg.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } ).then( function ( r ) {
			return r.json();
		} );
	}

	/* ---- Confirmations on links and buttons (.smi-confirm[data-confirm]) ---- */

	document.addEventListener( 'click', function ( event ) {
		var el = event.target.closest ? event.target.closest( '.smi-confirm[data-confirm]' ) : null;
		if ( el && ! window.confirm( el.getAttribute( 'data-confirm' ) ) ) {
			event.preventDefault();
		}
	} );

	/* ---- The one-time download link: select it for copying ---- */

	var newLink = document.getElementById( 'smi-new-download-link' );
	if ( newLink ) {
		newLink.addEventListener( 'focus', function () {
			newLink.select();
		} );
	}

	/* ---- Refund form on the details screen ---- */

	var refundForm = document.getElementById( 'smi-refund-form' );
	if ( refundForm ) {
		refundForm.addEventListener( 'submit', function ( event ) {
			var input = document.getElementById( 'smi-refund-amount-input' );
			var reason = document.getElementById( 'smi-refund-reason' );
			if ( reason && ! reason.value.trim() ) {
				event.preventDefault();
				window.alert( i18n.needReason );
				return;
			}
			var amount = input ? input.value.trim() + ' ' + ( input.getAttribute( 'data-currency' ) || '' ).toUpperCase() : '';
			if ( ! window.confirm( sprintf( i18n.confirmRefundOne, amount ) ) ) {
				event.preventDefault();
				return;
			}
			// One submit only: the idempotency key protects the daemon, this protects the admin.
			var button = refundForm.querySelector( '[type=submit]' );
			if ( button ) {
				setTimeout( function () {
					button.disabled = true;
				}, 0 );
			}
		} );
	}

	/* ---- Bulk actions on the list ---- */

	var form = document.getElementById( 'smi-jobs-filter' );
	var params = document.getElementById( 'smi-bulk-params' );
	var lastButton = null;
	var enterPending = false;

	function chosenAction() {
		var top = form.querySelector( 'select[name=action]' );
		var bottom = form.querySelector( 'select[name=action2]' );
		if ( lastButton && lastButton.id === 'doaction2' && bottom ) {
			return bottom.value;
		}
		return top ? top.value : '-1';
	}

	function toggleParams() {
		if ( ! params ) {
			return;
		}
		// Classes, not the hidden attribute: the stylesheet hides both
		// fields from the first paint when scripts run (body.js), so the
		// page does not move when this runs.
		var action = chosenAction();
		params.classList.toggle( 'smi-needs-reason', action === 'refund' || action === 'set_status' );
		params.classList.toggle( 'smi-needs-status', action === 'set_status' );
	}

	if ( form ) {
		form.addEventListener( 'click', function ( event ) {
			if ( event.target.id === 'doaction' || event.target.id === 'doaction2' ) {
				lastButton = event.target;
			} else if ( event.target.type === 'submit' ) {
				lastButton = null;
			}
		} );
		form.addEventListener( 'change', function ( event ) {
			if ( event.target.name === 'action' || event.target.name === 'action2' ) {
				lastButton = event.target.name === 'action2' ? { id: 'doaction2' } : null;
				toggleParams();
			}
		} );
		toggleParams();

		form.addEventListener( 'submit', function ( event ) {
			// Enter in the bulk reason submits the form through its first
			// button, the search box's: the admin meant Apply, with its
			// confirmation. (Without scripts the daemon is not asked: a
			// bulk action needs an Apply button's name in the request.)
			var reasonField = document.getElementById( 'smi-bulk-reason' );
			if ( reasonField && document.activeElement === reasonField && ! ( event.submitter && event.submitter.name === 'smi_apply' ) ) {
				var apply = document.getElementById( lastButton && lastButton.id === 'doaction2' ? 'doaction2' : 'doaction' );
				if ( apply ) {
					event.preventDefault();
					if ( ! enterPending ) {
						// Once, after this submit event: a submit started
						// inside one is ignored by the browser.
						enterPending = true;
						setTimeout( function () {
							enterPending = false;
							apply.click();
						}, 0 );
					}
					return;
				}
			}
			if ( ! lastButton || ( lastButton.id !== 'doaction' && lastButton.id !== 'doaction2' ) ) {
				return;
			}
			var action = chosenAction();
			if ( ! action || action === '-1' ) {
				return;
			}
			var all = document.getElementById( 'smi-apply-all' );
			var applyAll = !! ( all && all.checked );
			var rows = Array.prototype.map.call( form.querySelectorAll( 'input[name="job_ids[]"]:checked' ), function ( cb ) {
				return cb.closest( 'tr' );
			} );
			if ( ! applyAll && ! rows.length ) {
				event.preventDefault();
				window.alert( i18n.needSelection );
				return;
			}
			var reason = document.getElementById( 'smi-bulk-reason' );
			var status = document.getElementById( 'smi-bulk-status' );
			if ( ( action === 'refund' || action === 'set_status' ) && reason && ! reason.value.trim() ) {
				event.preventDefault();
				window.alert( i18n.needReason );
				return;
			}
			if ( action === 'set_status' && status && ! status.value ) {
				event.preventDefault();
				window.alert( i18n.needStatus );
				return;
			}
			var count = applyAll ? ( cfg.totalExact ? String( cfg.total ) : sprintf( i18n.about, cfg.total ) ) : String( rows.length );
			var message;
			if ( action === 'refund' ) {
				if ( applyAll ) {
					message = sprintf( i18n.confirmRefundAll, count );
				} else {
					var sum = 0;
					var currency = 'usd';
					rows.forEach( function ( row ) {
						sum += parseInt( row.getAttribute( 'data-refundable' ), 10 ) || 0;
						currency = row.getAttribute( 'data-currency' ) || currency;
					} );
					message = sprintf( i18n.confirmRefund, rows.length, money( sum, currency ) );
				}
			} else if ( action === 'retry' || action === 'retry_unpaid' ) {
				if ( applyAll ) {
					message = sprintf( i18n.confirmRetryAll, count );
				} else {
					var credits = 0;
					rows.forEach( function ( row ) {
						credits += parseInt( row.getAttribute( 'data-credits' ), 10 ) || 0;
					} );
					message = sprintf( i18n.confirmRetry, rows.length, credits );
				}
			} else if ( action === 'set_status' ) {
				message = sprintf( i18n.confirmStatus, count, ( cfg.statusLabels || {} )[ status.value ] || status.value );
			} else if ( action === 'regenerate_token' || action === 'regenerate_token_email' ) {
				message = sprintf( i18n.confirmTokens, count );
			} else {
				message = sprintf( i18n.confirmGeneric, count );
			}
			if ( ! window.confirm( message ) ) {
				event.preventDefault();
			}
		} );
	}

	/* ---- Live refresh of the visible rows: one request for all of them ---- */

	var toggle = document.getElementById( 'smi-autorefresh-toggle' );
	var paused = false;
	var timer = null;
	try {
		paused = window.localStorage.getItem( 'smiJobsAutoRefreshPaused' ) === '1';
	} catch ( e ) {}

	function visibleIds() {
		return Array.prototype.map.call( document.querySelectorAll( 'tr.smi-job-row' ), function ( row ) {
			return row.getAttribute( 'data-job-id' );
		} );
	}

	function renderToggle() {
		if ( ! toggle ) {
			return;
		}
		toggle.hidden = ! visibleIds().length;
		toggle.textContent = paused ? i18n.resume : i18n.pause;
		toggle.setAttribute( 'aria-pressed', paused ? 'true' : 'false' );
	}

	function schedule() {
		clearTimeout( timer );
		if ( ! paused && visibleIds().length ) {
			timer = setTimeout( refresh, parseInt( cfg.pollInterval, 10 ) || 5000 );
		}
	}

	function refresh() {
		var ids = visibleIds();
		if ( paused || ! ids.length || document.hidden ) {
			schedule();
			return;
		}
		post( 'smi_job_statuses', { job_ids: ids } ).then( function ( res ) {
			var note = document.getElementById( 'smi-refresh-error' );
			if ( ! res || ! res.success ) {
				if ( ! note && toggle ) {
					note = document.createElement( 'span' );
					note.id = 'smi-refresh-error';
					note.className = 'smi-refresh-error';
					note.textContent = i18n.refreshFailed;
					toggle.insertAdjacentElement( 'afterend', note );
				}
				return;
			}
			if ( note ) {
				note.remove();
			}
			Object.keys( res.data.jobs || {} ).forEach( function ( id ) {
				var job = res.data.jobs[ id ];
				var row = document.getElementById( 'smi-job-' + id );
				var statusCell = row && row.querySelector( 'td.column-status' );
				if ( ! row || row.getAttribute( 'data-state' ) === job.state ) {
					return;
				}
				row.setAttribute( 'data-state', job.state );
				row.setAttribute( 'data-status', job.status );
				row.setAttribute( 'data-payment-status', job.payment_status );
				row.className = row.className.replace( /smi-row-status-\S+/, 'smi-row-status-' + job.status ) + ' smi-row-updated';
				var paymentCell = row.querySelector( 'td.column-payment_status' );
				// The HTML comes from our own endpoint, built with esc_html/esc_attr.
				if ( statusCell ) {
					statusCell.innerHTML = job.status_html;
				}
				if ( paymentCell ) {
					paymentCell.innerHTML = job.payment_html;
				}
			} );
		} ).catch( function () {} ).then( function () {
			renderToggle();
			schedule();
		} );
	}

	if ( toggle ) {
		toggle.addEventListener( 'click', function () {
			paused = ! paused;
			try {
				window.localStorage.setItem( 'smiJobsAutoRefreshPaused', paused ? '1' : '0' );
			} catch ( e ) {}
			renderToggle();
			schedule();
		} );
		renderToggle();
		schedule();
	}

	/* ---- Preview dialog, filled from the row's data-preview (text only) ---- */

	var dialog = document.getElementById( 'smi-preview' );
	if ( dialog ) {
		document.addEventListener( 'click', function ( event ) {
			var button = event.target.closest ? event.target.closest( '.smi-preview' ) : null;
			if ( ! button ) {
				return;
			}
			event.preventDefault();
			var row = button.closest( 'tr.smi-job-row' );
			var data;
			try {
				data = JSON.parse( row.getAttribute( 'data-preview' ) || '{}' );
			} catch ( e ) {
				return;
			}
			dialog.querySelector( '#smi-preview-title' ).textContent = data.title || '';
			var list = dialog.querySelector( '.smi-preview-fields' );
			list.textContent = '';
			( data.fields || [] ).forEach( function ( pair ) {
				var dt = document.createElement( 'dt' );
				var dd = document.createElement( 'dd' );
				dt.textContent = pair[ 0 ];
				dd.textContent = pair[ 1 ];
				list.appendChild( dt );
				list.appendChild( dd );
			} );
			var open = dialog.querySelector( '.smi-preview-open' );
			if ( /^https?:\/\//.test( data.url || '' ) ) {
				open.href = data.url;
				open.hidden = false;
			} else {
				open.hidden = true;
			}
			if ( dialog.showModal ) {
				dialog.showModal();
			} else {
				dialog.setAttribute( 'open', '' );
			}
		} );
		dialog.querySelector( '.smi-preview-close' ).addEventListener( 'click', function () {
			if ( dialog.close ) {
				dialog.close();
			} else {
				dialog.removeAttribute( 'open' );
			}
		} );
	}

	/* ---- Batch progress ---- */

	var batch = document.getElementById( 'smi-batch-progress' );
	if ( batch ) {
		var batchId = batch.getAttribute( 'data-batch-id' );
		var text = batch.querySelector( '.smi-batch-text' );
		var bar = batch.querySelector( '.smi-batch-bar' );
		var cancel = batch.querySelector( '.smi-batch-cancel' );
		if ( cancel ) {
			cancel.addEventListener( 'click', function () {
				if ( ! window.confirm( i18n.confirmCancel ) ) {
					return;
				}
				cancel.disabled = true;
				post( 'smi_batch_cancel', { batch_id: batchId } ).then( function ( res ) {
					if ( res && res.success ) {
						text.textContent = i18n.batchCancelled;
						cancel.hidden = true;
						batch.setAttribute( 'data-state', 'cancelled' );
					} else {
						text.textContent = ( res && res.data && res.data.message ) || i18n.refreshFailed;
						cancel.disabled = false;
					}
				} );
			} );
		}
		var poll = function () {
			post( 'smi_batch_status', { batch_id: batchId } ).then( function ( res ) {
				if ( ! res || ! res.success ) {
					text.textContent = ( res && res.data && res.data.message ) || i18n.refreshFailed;
					setTimeout( poll, 5000 );
					return;
				}
				var b = res.data;
				bar.max = Math.max( 1, b.total );
				bar.value = b.done + b.failed;
				if ( cancel ) {
					cancel.hidden = b.state !== 'running';
				}
				if ( batch.getAttribute( 'data-state' ) === 'cancelled' ) {
					return;
				}
				if ( b.state === 'running' ) {
					text.textContent = sprintf( i18n.batchProgress, b.done, b.total, b.failed );
					setTimeout( poll, 2000 );
				} else if ( b.state === 'cancelled' ) {
					text.textContent = i18n.batchCancelled;
				} else {
					text.textContent = sprintf( i18n.batchDone, b.done, b.total, b.failed );
					batch.className = batch.className.replace( 'notice-info', b.failed ? 'notice-warning' : 'notice-success' );
				}
				batch.setAttribute( 'data-state', b.state );
			} ).catch( function () {
				setTimeout( poll, 5000 );
			} );
		};
		poll();
	}
	/* ---- The money strip: its sums read every matching job, so they come after the page ---- */

	var summary = document.getElementById( 'smi-summary' );
	if ( summary && summary.getAttribute( 'aria-busy' ) === 'true' ) {
		var filter = {};
		try {
			var given = JSON.parse( summary.getAttribute( 'data-filter' ) || '{}' );
			Object.keys( given ).forEach( function ( key ) {
				filter[ 'filter[' + key + ']' ] = given[ key ];
			} );
		} catch ( e ) {}
		post( 'smi_job_summary', filter ).then( function ( res ) {
			if ( ! res || ! res.success ) {
				throw new Error( res && res.data && res.data.message );
			}
			Object.keys( res.data.figures ).forEach( function ( key ) {
				var el = document.getElementById( 'smi-summary-' + key );
				if ( el ) {
					el.textContent = res.data.figures[ key ];
				}
			} );
			summary.setAttribute( 'aria-busy', 'false' );
		} ).catch( function () {
			Array.prototype.forEach.call( summary.querySelectorAll( '.smi-summary-value' ), function ( el ) {
				el.textContent = '\u2014';
			} );
			summary.setAttribute( 'aria-busy', 'false' );
			summary.setAttribute( 'data-error', '1' );
			summary.title = i18n.summaryError || '';
		} );
	}
}() );
