;;; eglot-test.el --- End-to-end test of editors/emacs/pattern-language.el with Eglot  -*- lexical-binding: t; -*-

;; Run by tests/editors/emacs/run.sh as
;;   emacs -Q --batch -l eglot-test.el
;; with PL_REPO, PL_FIXTURE (a copy of tests/editors/fixtures/bookshop) and PATTERN_LANGUAGE_BIN.
;; Prints PASS/FAIL lines and exits 0 only when every check passed.

;;; Code:

(require 'package)
;; `emacs -Q' leaves site-lisp out; Debian installs Eglot for Emacs 28 there (elpa-eglot).
(dolist (dir '("/usr/share/emacs/site-lisp/elpa"))
  (when (file-directory-p dir)
    (add-to-list 'package-directory-list dir)))
(package-initialize)
(require 'cl-lib)
(require 'subr-x)

(defvar pl-test-results nil)
(defvar pl-test-browsed nil)
(defvar pl-test-start (float-time))
(defvar pl-test-deadline (+ pl-test-start 45))

(defun pl-test-say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun pl-test-check (name ok &optional detail)
  (push (cons name (and ok t)) pl-test-results)
  (pl-test-say "%s %s%s%s" (if ok "PASS" "FAIL") name
               (if (getenv "PL_E2E_DEBUG") (format " [%.1fs]" (- (float-time) pl-test-start)) "")
               (if (and detail (not (string-empty-p detail))) (concat " -- " detail) ""))
  ok)

(defun pl-test-wait (seconds pred)
  "Wait up to SECONDS (and never past the deadline) for PRED; return its value."
  (let ((until (min (+ (float-time) seconds) pl-test-deadline))
        value)
    (while (and (not (setq value (funcall pred))) (< (float-time) until))
      (accept-process-output nil 0.1))
    value))

(defun pl-test-short (s)
  (let ((s (replace-regexp-in-string "[ \t\n]+" " " (format "%s" s))))
    (if (> (length s) 160) (concat (substring s 0 160) "...") s)))

(defun pl-test-hover-at (needle offset)
  "Hover text at NEEDLE + OFFSET in the current buffer."
  (goto-char (point-min))
  (search-forward needle)
  (goto-char (+ (match-beginning 0) offset))
  (let* ((server (eglot-current-server))
         (result (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)
                                  :timeout 10))
         (contents (plist-get result :contents)))
    (cond ((stringp contents) contents)
          ((plist-get contents :value))
          ((vectorp contents)
           (mapconcat (lambda (m) (if (stringp m) m (or (plist-get m :value) ""))) contents "\n")))))

(defun pl-test-diagnostic-codes ()
  (mapcar (lambda (d) (format "%s" (flymake-diagnostic-text d))) (flymake-diagnostics)))

(defun pl-test-main ()
  (let* ((repo (getenv "PL_REPO"))
         (bin (getenv "PATTERN_LANGUAGE_BIN"))
         (fixture (file-name-as-directory (getenv "PL_FIXTURE"))))
    (require 'eglot)
    (pl-test-check "Eglot is available" (featurep 'eglot) (format "eglot %s" (or (bound-and-true-p eglot-version) "")))
    (add-to-list 'load-path (expand-file-name "editors/emacs" repo))
    (require 'pattern-language)
    ;; Emacs ships no markdown-mode; a stand-in with the same name is enough for Eglot.
    (unless (fboundp 'markdown-mode)
      (define-derived-mode markdown-mode text-mode "Markdown"))
    (add-to-list 'auto-mode-alist '("\\.md\\'" . markdown-mode))
    (setq pattern-language-server-command (list bin "server")
          pattern-language-python t
          ;; Checked below: the uuid4-primary-key hint becomes an error.
          pattern-language-initialization-options '(:severity (:uuid4-primary-key "error"))
          eglot-sync-connect 10)
    (pattern-language-eglot-setup)
    (pl-test-check "pattern-language-eglot-setup registers Markdown and Python modes"
                   (and (eglot--lookup-mode 'markdown-mode) (eglot--lookup-mode 'python-mode)))

    ;; Markdown
    (find-file (expand-file-name "docs/adr-0001-customer-data.md" fixture))
    (apply #'eglot (eglot--guess-contact))
    (let ((server (pl-test-wait 15 (lambda () (eglot-current-server)))))
      (when (pl-test-check "the server starts for a Markdown buffer"
                           (and server (eieio-object-p server)
                                (eq (eieio-object-class-name server) 'pattern-language-eglot-server)))
        (let ((text (pl-test-hover-at "anticorruption layer" 2)))
          (pl-test-check "Markdown hover starts with \"### Anticorruption layer\""
                         (and text (string-prefix-p "### Anticorruption layer" (string-trim text)))
                         (pl-test-short text)))
        (pl-test-wait 10 (lambda () (cl-some (lambda (s) (string-match-p "no-such-pattern" s))
                                             (pl-test-diagnostic-codes))))
        (pl-test-check "flymake shows the unknown-pattern diagnostic"
                       (cl-some (lambda (s) (string-match-p "no-such-pattern" s)) (pl-test-diagnostic-codes))
                       (pl-test-short (pl-test-diagnostic-codes)))))

    ;; Python
    (find-file (expand-file-name "orders/repositories.py" fixture))
    ;; What `eglot-ensure' in python-mode-hook does: join a running server or start one (an Eglot
    ;; with one languageId per server runs a second server for Python).
    (unless (eglot-current-server)
      (apply #'eglot (eglot--guess-contact)))
    (pl-test-wait 15 (lambda () (eglot-current-server)))
    (if (not (pl-test-check "a pattern-language server manages a Python buffer"
                            (and (eglot-current-server)
                                 (eq (eieio-object-class-name (eglot-current-server)) 'pattern-language-eglot-server))))
        nil
      ;; The server may still be indexing the project: ask again until it answers.
      (let ((text (pl-test-wait 15 (lambda () (pl-test-hover-at "DjangoOrderRepository" 3)))))
        (pl-test-check "Python hover mentions \"Django ORM repository\""
                       (and text (string-match-p "Django ORM repository" text))
                       (pl-test-short text))))
    (find-file (expand-file-name "orders/models.py" fixture))
    ;; In batch mode no command runs, so Flymake's deferred start never comes: start it.
    (pl-test-wait 10 (lambda ()
                       (when (bound-and-true-p flymake-mode) (flymake-start))
                       (cl-some (lambda (s) (string-match-p "uuid4" s)) (pl-test-diagnostic-codes))))
    (pl-test-check "flymake shows the uuid4-primary-key diagnostic"
                   (cl-some (lambda (s) (string-match-p "uuid4" s)) (pl-test-diagnostic-codes))
                   (pl-test-short (pl-test-diagnostic-codes)))
    (let ((types (mapcar #'flymake-diagnostic-type (flymake-diagnostics))))
      (pl-test-check "pattern-language-initialization-options apply (uuid4-primary-key is an error)"
                     (memq 'eglot-error types)
                     (format "%s" types)))
    ;; The context map: the server writes the SVG, and asks Eglot to show it where Eglot can
    ;; (window/showDocument, 1.15+: `browse-url', recorded here); older Eglots get its path.
    (let ((browse-url-browser-function (lambda (url &rest _) (setq pl-test-browsed url)))
          (cache (expand-file-name "pattern-language/maps" (getenv "XDG_CACHE_HOME"))))
      (pattern-language-show-context-map)
      (let ((files (pl-test-wait 10 (lambda ()
                                      (and (file-directory-p cache)
                                           (directory-files-recursively cache "context-map\\.svg\\'"))))))
        (pl-test-check "pattern-language-show-context-map has the server write the context map"
                       (and files (with-temp-buffer
                                    (insert-file-contents (car files))
                                    (string-prefix-p "<svg" (buffer-string))))
                       (format "%s%s" files (if pl-test-browsed (format " (shown: %s)" pl-test-browsed) "")))))))

(condition-case err
    (pl-test-main)
  (error (pl-test-check "the test script ran to the end" nil (error-message-string err))))

(when (and (getenv "PL_E2E_DEBUG") (eglot-current-server))
  (with-current-buffer (jsonrpc-events-buffer (eglot-current-server))
    (pl-test-say "--- Eglot events ---\n%s" (buffer-substring-no-properties (max (point-min) (- (point-max) 6000)) (point-max)))))

(let* ((passed (cl-count-if #'cdr pl-test-results))
       (total (length pl-test-results)))
  (pl-test-say "emacs eglot: %d of %d checks passed" passed total)
  (ignore-errors (eglot-shutdown-all))
  (kill-emacs (if (and (> total 0) (= passed total)) 0 1)))

;;; eglot-test.el ends here
